using System.Text.Json.Serialization;

namespace Bootstrap.Core.Workflow;

/// <summary>Source-generated metadata for <see cref="ReadAheadFile"/> (no reflection at start-up).</summary>
[JsonSerializable(typeof(ReadAheadDocument))]
internal sealed partial class ReadAheadJsonContext : JsonSerializerContext;
