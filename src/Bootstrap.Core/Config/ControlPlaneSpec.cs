namespace Bootstrap.Core.Config;

/// <summary>Control-plane settings (<c>spec.controlPlane</c>).</summary>
public sealed record ControlPlaneSpec
{
    /// <summary>Whether control-plane hosts also run a kubelet and join as nodes; true unless set to false.</summary>
    public required bool RunKubelet { get; init; }
}
