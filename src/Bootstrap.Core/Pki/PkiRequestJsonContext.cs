using System.Text.Json.Serialization;

namespace Bootstrap.Core.Pki;

/// <summary>
/// Source-generated JSON metadata for request.json: building it by reflection cost every generation ~60 ms of its
/// start. <see cref="PkiRequestJson"/>'s options still decide the form (names, enums, indentation).
/// </summary>
[JsonSerializable(typeof(PkiRequest))]
internal sealed partial class PkiRequestJsonContext : JsonSerializerContext;
