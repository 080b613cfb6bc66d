using Bootstrap.Core.Config;

namespace Bootstrap.Core.ControlPlane;

/// <summary>
/// Which flags exist in which Kubernetes minor, as data. Flags are rendered from the v1.20 set (what
/// the lab verifies); a flag listed here is left out from its removal minor on. A minor newer than
/// any listed here simply gets the newest known set, since removals only accumulate.
/// </summary>
internal static class FlagVersionGates
{
    /// <summary>
    /// The newest minor checked for flag removals (the list below goes through CHANGELOG-1.24). A cluster file
    /// asking for a newer one is warned that a later removal would not be known.
    /// </summary>
    public const int NewestKnownMinor = 24;

    public static IReadOnlyList<FlagRemoval> Removals { get; } =
    [
        new(ControlPlaneComponent.KubeApiServer, "insecure-port", 24, "insecure serving removed from kube-apiserver (deprecated no-op since 1.20)"),
        new(ControlPlaneComponent.KubeControllerManager, "port", 24, "insecure serving removed from kube-controller-manager (kubernetes/kubernetes#106860, CHANGELOG-1.24)"),
        new(ControlPlaneComponent.KubeScheduler, "port", 24, "insecure serving removed from kube-scheduler (no-op since 1.23)"),
    ];

    /// <summary>Whether <paramref name="component"/> at <paramref name="version"/> still accepts <paramref name="flag"/>.</summary>
    public static bool Accepts(ControlPlaneComponent component, string flag, KubernetesVersion version) =>
        !Removals.Any(r => r.Component == component
            && string.Equals(r.Flag, flag, StringComparison.Ordinal)
            && (version.Major > 1 || version.Minor >= r.RemovedInMinor));
}
