using Bootstrap.Core.Config;
using Bootstrap.Core.Install;
using Bootstrap.Core.Kubernetes;
using Bootstrap.Core.Pki;

namespace Bootstrap.Core.Phases.Install;

/// <summary>
/// The install phases of <c>init</c> after preflight, in kubeadm's spirit: certificates and kubeconfigs
/// from the cluster state, the binaries, etcd, the control-plane components, then the load balancer.
/// </summary>
internal static class InstallSteps
{
    public static InstallStep Certs() => new()
    {
        Name = "certs",
        Description = "Generate the PKI in the cluster state (once) and install each host's certificates and keys",
        Targets = c => c.Hosts.Where(h => h.HasRole(HostRole.ControlPlane) || c.EtcdMembers.Contains(h)).ToArray(),
        Prepare = (context, host, ct) => context.Config.EtcdMembers.Any(m => m.Name == host.Name)
            ? HostPreparation.EtcdUserAsync(context, host, ct)
            : Task.FromResult<IReadOnlyList<string>>([]),
        Files = (_, material, host, _, _) => Task.FromResult(InstallFiles.Certificates(material, host)),
        Notes = (material, host, dryRun) => [.. material.Pki.Items
            .Where(c => c.Action != PkiChangeAction.Unchanged && PkiEntryIsFor(c.Name, host))
            .Select(c => $"{Verb(c.Action, dryRun)} {c.Name} in the cluster state{(c.Reason is null ? string.Empty : $" ({c.Reason})")}")],
    };

    public static InstallStep Kubeconfig() => new()
    {
        Name = "kubeconfig",
        Description = "Install admin.conf, controller-manager.conf and scheduler.conf on the control-plane hosts",
        Targets = c => c.ControlPlaneHosts,
        Files = (_, material, _, _, _) => Task.FromResult(InstallFiles.Kubeconfigs(material)),
    };

    public static InstallStep Artifacts() => new()
    {
        Name = "artifacts",
        Description = "Install the etcd and Kubernetes binaries each host needs, verified by sha256 on the host",
        Targets = c => c.Hosts.Where(h => BinariesFor(c, h).Count > 0).ToArray(),
        Files = (_, material, host, _, _) => Task.FromResult<IReadOnlyList<DesiredFile>>(
            [.. BinariesFor(material.Config, host).Select(material.Artifacts.Binary)]),
    };

    public static InstallStep EtcdMember(InstallSession session) => new()
    {
        Name = "member",
        Description = "Run an etcd member as a systemd unit (members of a new cluster start together)",
        Targets = c => c.EtcdMembers,
        Prepare = HostPreparation.EtcdAsync,
        Files = (_, material, host, _, _) => Task.FromResult<IReadOnlyList<DesiredFile>>([session.Files.EtcdUnit(material, host)]),
        Services = (_, _) => [Health.Etcd()],
        WaitAfterStart = false,
    };

    public static InstallStep ApiServer(InstallSession session) => new()
    {
        Name = "apiserver",
        Description = "Run kube-apiserver with its audit policy and encryption at rest",
        Targets = c => c.ControlPlaneHosts,
        Files = (_, material, host, _, _) => Task.FromResult(session.Files.ApiServer(material, host)),
        Services = (material, host) => [Health.ApiServer(host.Address, material.Config.LoadBalancer.Type == LoadBalancerType.HaproxyKeepalived)],
    };

    public static InstallStep ControllerManager(InstallSession session) => new()
    {
        Name = "controller-manager",
        Description = "Run kube-controller-manager",
        Targets = c => c.ControlPlaneHosts,
        Files = (_, material, host, _, _) => Task.FromResult<IReadOnlyList<DesiredFile>>([session.Files.ControllerManagerUnit(material, host)]),
        Services = (_, _) => [Health.ControllerManager()],
    };

    public static InstallStep Scheduler(InstallSession session) => new()
    {
        Name = "scheduler",
        Description = "Run kube-scheduler",
        Targets = c => c.ControlPlaneHosts,
        Files = (_, material, host, _, _) => Task.FromResult<IReadOnlyList<DesiredFile>>([session.Files.SchedulerUnit(material, host)]),
        Services = (_, _) => [Health.Scheduler()],
    };

    public static InstallStep LoadBalancer(InstallSession session) => new()
    {
        Name = "load-balancer",
        Description = "Run haproxy and keepalived (the virtual IP) on the loadbalancer hosts; nothing for an external load balancer",
        Targets = c => c.LoadBalancer.Type == LoadBalancerType.HaproxyKeepalived ? c.LoadBalancerHosts : [],
        Files = async (context, material, host, remote, ct) =>
        {
            var interfaceName = material.Config.LoadBalancer.Interface
                ?? await HostPreparation.InterfaceOfAsync(remote, host.Address.ToString(), context.Redactor, ct).ConfigureAwait(false);
            return session.Files.LoadBalancer(material, host, interfaceName);
        },
        Services = (_, _) => [Health.Haproxy(), Health.Keepalived()],
    };

    /// <summary>etcd members get etcd and etcdctl; control-plane hosts the three components and kubectl; nodes the kubelet and kube-proxy.</summary>
    public static IReadOnlyList<string> BinariesFor(ClusterConfig config, HostSpec host)
    {
        ArgumentNullException.ThrowIfNull(config);
        var names = new List<string>();
        if (config.EtcdMembers.Contains(host))
        {
            names.AddRange(["etcd", "etcdctl"]);
        }

        if (host.HasRole(HostRole.ControlPlane))
        {
            names.AddRange(["kube-apiserver", "kube-controller-manager", "kube-scheduler", "kubectl"]);
        }

        if (ClusterNodes.IsNode(config, host))
        {
            names.AddRange(["kubelet", "kube-proxy"]);
        }

        return names;
    }

    /// <summary>Per-host PKI entries are named "NAME/HOST"; shared ones (CAs, kubeconfigs, the API server's) belong to every control-plane host.</summary>
    private static bool PkiEntryIsFor(string name, HostSpec host) =>
        name.Contains('/', StringComparison.Ordinal) ? name.EndsWith("/" + host.Name, StringComparison.Ordinal) : host.HasRole(HostRole.ControlPlane);

    private static string Verb(PkiChangeAction action, bool dryRun) => (action, dryRun) switch
    {
        (PkiChangeAction.Created, true) => "would create",
        (PkiChangeAction.Created, false) => "created",
        (PkiChangeAction.Reissued, true) => "would reissue",
        (PkiChangeAction.Reissued, false) => "reissued",
        (_, true) => "would rewrite",
        _ => "rewrote",
    };
}
