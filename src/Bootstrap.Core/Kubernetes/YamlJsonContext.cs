using System.Text.Json.Serialization;

namespace Bootstrap.Core.Kubernetes;

/// <summary>Source-generated JSON metadata for the strings <see cref="YamlText"/> quotes.</summary>
[JsonSerializable(typeof(string))]
internal sealed partial class YamlJsonContext : JsonSerializerContext;
