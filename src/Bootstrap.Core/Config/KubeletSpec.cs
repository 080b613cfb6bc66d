using System.Text.Json;

namespace Bootstrap.Core.Config;

/// <summary>Kubelet settings (<c>spec.kubelet</c>).</summary>
public sealed record KubeletSpec
{
    /// <summary>
    /// A JSON object merged over the KubeletConfiguration Bootstrap generates, or null for none.
    /// YAML scalars keep their types (plain <c>true</c> is a boolean, quoted <c>"true"</c> a string).
    /// </summary>
    public JsonElement? ConfigPatch { get; init; }
}
