using Bootstrap.Core.Config;
using Bootstrap.Core.Kubernetes;
using Bootstrap.Core.LoadBalancer;

namespace Bootstrap.Core.Phases.Preflight;

/// <summary>What a host needs for its roles, by kubeadm's numbers: CPUs, memory, free ports, binaries.</summary>
public sealed record PreflightRequirements
{
    /// <summary>kubeadm: a control plane needs 2 CPUs.</summary>
    public const int ControlPlaneCpus = 2;

    /// <summary>kubeadm: 1700 MB for a control plane.</summary>
    public const long ControlPlaneMemoryMegabytes = 1700;

    /// <summary>kubeadm: 300 MB for a node that joins.</summary>
    public const long NodeMemoryMegabytes = 300;

    public required int MinimumCpus { get; init; }

    public required long MinimumMemoryMegabytes { get; init; }

    public required IReadOnlyList<int> Ports { get; init; }

    /// <summary>
    /// The program Bootstrap itself runs on each of <see cref="Ports"/> (kube-apiserver on 6443, haproxy on
    /// the endpoint port …): when a re-run finds only that program on a port, the port is not "in use".
    /// </summary>
    public IReadOnlyDictionary<int, string> OwnPrograms { get; init; } = new Dictionary<int, string>();

    /// <summary>Binaries whose absence is an error.</summary>
    public required IReadOnlyList<string> Binaries { get; init; }

    /// <summary>Binaries whose absence is a warning (kubeadm warns about these too).</summary>
    public required IReadOnlyList<string> OptionalBinaries { get; init; }

    /// <summary>Whether the host runs a kubelet, so needs forwarding and bridge netfilter.</summary>
    public required bool IsNode { get; init; }

    /// <summary>Whether the host's kubelet runs with protectKernelDefaults, so its kernel must hold <see cref="Kubernetes.KernelTunables.Required"/>.</summary>
    public bool ProtectKernelDefaults { get; init; }

    public IReadOnlyList<string> AllBinaries => Binaries.Concat(OptionalBinaries).ToList();

    public static PreflightRequirements For(HostSpec host, ClusterConfig config)
    {
        ArgumentNullException.ThrowIfNull(host);
        ArgumentNullException.ThrowIfNull(config);
        var controlPlane = host.HasRole(HostRole.ControlPlane);
        var kubelet = config.IsNode(host);
        var etcd = config.EtcdMembers.Any(m => m.Name == host.Name);

        var ports = new SortedSet<int>();
        if (controlPlane)
        {
            ports.UnionWith([6443, 10257, 10259]);
        }

        if (etcd)
        {
            ports.UnionWith([2379, 2380]);
        }

        if (kubelet)
        {
            ports.Add(10250);
        }

        if (host.HasRole(HostRole.LoadBalancer))
        {
            ports.Add(config.ControlPlaneEndpoint.Port);
            ports.Add(LoadBalancerFiles.MonitorPort);
        }

        var binaries = new List<string> { "systemctl" };
        var optional = new List<string>();
        if (kubelet || controlPlane)
        {
            binaries.AddRange(["containerd", "runc", "iptables", "conntrack", "ip", "mount", "nsenter", "touch", "sysctl"]);
            optional.AddRange(["socat", "ebtables", "ethtool", "tc"]);
        }

        if (host.HasRole(HostRole.LoadBalancer))
        {
            binaries.AddRange(["haproxy", "keepalived"]);
        }

        // keepalived's check of haproxy; on control planes, the health checks of the API, the controller-manager and the scheduler.
        if (controlPlane || host.HasRole(HostRole.LoadBalancer))
        {
            binaries.Add("curl");
        }

        return new PreflightRequirements
        {
            MinimumCpus = controlPlane ? ControlPlaneCpus : 1,
            MinimumMemoryMegabytes = controlPlane ? ControlPlaneMemoryMegabytes : kubelet || etcd ? NodeMemoryMegabytes : 0,
            Ports = ports.ToList(),
            Binaries = binaries,
            OptionalBinaries = optional,
            IsNode = kubelet || controlPlane,
            ProtectKernelDefaults = (kubelet || controlPlane) && KubeletConfiguration.ProtectsKernelDefaults(config),
            OwnPrograms = OwnProgramsOn(ports, config, host),
        };
    }

    private static Dictionary<int, string> OwnProgramsOn(IEnumerable<int> ports, ClusterConfig config, HostSpec host)
    {
        var programs = new Dictionary<int, string>();
        foreach (var port in ports)
        {
            var program = port switch
            {
                6443 when host.HasRole(HostRole.ControlPlane) => "kube-apiserver",
                10257 => "kube-controller-manager",
                10259 => "kube-scheduler",
                2379 or 2380 => "etcd",
                10250 => "kubelet",
                _ => null,
            };
            if ((port == config.ControlPlaneEndpoint.Port || port == LoadBalancerFiles.MonitorPort) && host.HasRole(HostRole.LoadBalancer))
            {
                program = "haproxy";
            }

            if (program is not null)
            {
                programs[port] = program;
            }
        }

        return programs;
    }
}
