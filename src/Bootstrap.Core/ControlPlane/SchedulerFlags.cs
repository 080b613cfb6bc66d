using Bootstrap.Core.Config;

namespace Bootstrap.Core.ControlPlane;

/// <summary>kube-scheduler's flags: kubeadm v1.20's (<c>getSchedulerCommand</c>) plus profiling off.</summary>
internal static class SchedulerFlags
{
    public static IReadOnlyList<string> Build(ClusterConfig config) =>
        new FlagSet(ControlPlaneComponent.KubeScheduler, config.KubernetesVersion)
            .Add("authentication-kubeconfig", KubeadmLayout.SchedulerKubeconfig)
            .Add("authorization-kubeconfig", KubeadmLayout.SchedulerKubeconfig)
            .Add("bind-address", "127.0.0.1")
            .Add("kubeconfig", KubeadmLayout.SchedulerKubeconfig)
            .Add("leader-elect", true)
            .Add("port", 0)
            .Add("profiling", false)
            .ToArguments(config.ExtraArgs.Scheduler);
}
