using Bootstrap.Core.Phases.Identity;
using Bootstrap.Core.Workflow;

namespace Bootstrap.Core.Phases.Upgrade;

/// <summary>
/// The phases of <c>bootstrap upgrade apply</c>, and in a dry run of <c>upgrade plan</c>: the identity guard, the versions every
/// host runs (<c>versions</c>), the version-skew checks (<c>skew</c>, which refuses before anything changes), then init's phases,
/// which stage the new binaries on every host before anything restarts and switch them one host at a time in each component's
/// roll: etcd members, API servers, controller managers, schedulers, then the nodes: containerd and the image archives of
/// <c>artifacts.images</c> (imported before any kubelet restarts, so a new release's images are there when its pods start),
/// the kubelets (control planes first), each drained before its kubelet changes and uncordoned once Ready with the new
/// version, the pod network, kube-proxy, and CoreDNS last, as <c>kubeadm upgrade apply</c> updates its add-ons.
/// </summary>
public static class UpgradeWorkflow
{
    public static PhaseTree Create(bool allowDowngrade)
    {
        var init = InitWorkflow.Create(new Preflight.PreflightOptions());

        // init's phases after preflight and the identity guard, behind the version checks.
        return new PhaseTree("upgrade", [new IdentityPhase(), new VersionsPhase(), new SkewPhase(allowDowngrade), .. init.Phases.Where(p => p.Name is not ("preflight" or "identity"))]);
    }
}
