using Bootstrap.Core.ControlPlane;
using Bootstrap.Core.Kubernetes;

namespace Bootstrap.Core.Config.Parsing;

/// <summary>
/// Warns, at the position of each <c>extraArgs</c> entry, when it replaces a flag Bootstrap sets itself: allowed (the
/// admin may know better), but said, with the value it replaces, because it can weaken what Bootstrap guarantees.
/// </summary>
internal static class ExtraArgsRules
{
    public static void WarnAboutOverrides(ParseContext context, ClusterConfig config)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(config);
        var plain = config with { ExtraArgs = ExtraArgs.None };
        var controlPlane = config.ControlPlaneHosts.FirstOrDefault();
        var member = config.EtcdMembers.FirstOrDefault();
        var node = config.Nodes.FirstOrDefault();
        Warn(context, "spec.apiServer.extraArgs", config.ExtraArgs.ApiServer, () => controlPlane is null ? [] : ApiServerFlags.Build(plain, controlPlane, ApiServerFlagOptions.For(plain)));
        Warn(context, "spec.controllerManager.extraArgs", config.ExtraArgs.ControllerManager, () => ControllerManagerFlags.Build(plain));
        Warn(context, "spec.scheduler.extraArgs", config.ExtraArgs.Scheduler, () => SchedulerFlags.Build(plain));
        Warn(context, "spec.etcd.extraArgs", config.ExtraArgs.Etcd, () => member is null ? [] : EtcdFlags.Build(plain, member, EtcdClusterState.New));
        Warn(context, "spec.kubelet.extraArgs", config.ExtraArgs.Kubelet, () => node is null ? [] : KubeletFlags.Build(plain, node));
    }

    // The flags Bootstrap sets are built only for a component with extra args: building them all cost every command
    // that loads a cluster file ~30 ms of its start.
    private static void Warn(ParseContext context, string path, IReadOnlyDictionary<string, string> extra, Func<IReadOnlyList<string>> bootstrap)
    {
        if (extra.Count == 0)
        {
            return;
        }

        var set = bootstrap()
            .Select(f => f[2..].Split('=', 2))
            .ToDictionary(p => p[0], p => p.Length > 1 ? p[1] : string.Empty, StringComparer.Ordinal);
        foreach (var (name, value) in extra)
        {
            if (set.TryGetValue(name, out var replaced) && replaced != value)
            {
                context.WarningAt(MappingReader.Join(path, name), $"--{name} replaces the value Bootstrap sets ({replaced}); make sure the cluster still works and stays as secure without it");
            }
        }
    }
}
