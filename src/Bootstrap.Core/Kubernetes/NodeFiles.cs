using System.Net;
using System.Net.Sockets;
using Bootstrap.Core.Config;
using Bootstrap.Core.ControlPlane;
using Bootstrap.Core.Rendering;

namespace Bootstrap.Core.Kubernetes;

/// <summary>
/// The files every Kubernetes node needs besides credentials: the kubelet and kube-proxy systemd units,
/// containerd's configuration, Bootstrap's pod network (a bridge CNI network and the unit keeping the routes
/// to the other nodes' pods) and the kernel settings the kubelet requires. Rendered from templates; unit
/// arguments are quoted for systemd.
/// </summary>
internal sealed class NodeFiles
{
    private readonly TemplateRenderer _renderer;

    public NodeFiles(TemplateRenderer renderer) => _renderer = renderer;

    /// <param name="amazonEc2">The host is an EC2 instance: its kubelet keeps the instance-metadata credential lookup (<see cref="InstanceMetadata"/>).</param>
    public string KubeletUnit(ClusterConfig config, HostSpec host, bool amazonEc2) =>
        Unit("kubelet", config, host, KubeletFlags.Build(config, host), amazonEc2 ? [] : [InstanceMetadata.DisableLookup]);

    public string KubeProxyUnit(ClusterConfig config, HostSpec host) =>
        Unit("kube-proxy", config, host, config.IsNode(host)
            ? [$"--config={NodeLayout.KubeProxyConfig}", $"--hostname-override={host.Name}"]
            : throw new ArgumentException($"host {host.Name} is not a Kubernetes node", nameof(host)));

    /// <param name="restrictOomScoreAdj">The host cannot lower OOM scores (no CAP_SYS_RESOURCE, as inside a container): containerd keeps its own as the floor.</param>
    public string ContainerdConfig(ClusterConfig config, bool restrictOomScoreAdj = false) =>
        _renderer.Render("containerd-config.toml.sbn", new ContainerdModel(ClusterImages.Pause(config), NodeLayout.CniBinDir, NodeLayout.CniConfDir, restrictOomScoreAdj));

    /// <summary>The sysctl.d drop-in with <see cref="KernelTunables.Required"/> (<see cref="KernelTunables.DropInPath"/>).</summary>
    public string KubeletSysctl(ClusterConfig config) =>
        _renderer.Render("kubelet-sysctl.conf.sbn", new SysctlModel(config.Name, KernelTunables.Required));

    /// <summary>
    /// The bridge network handing out pod addresses from <paramref name="podCidr"/>, the Node's allocated range. No
    /// masquerade of its own: the pod network's unit masquerades only what leaves the pod network.
    /// </summary>
    public string CniConflist(ClusterConfig config, IPNetwork podCidr) =>
        _renderer.Render("cni-bridge.conflist.sbn", new CniModel(
            config.Name,
            podCidr.ToString(),
            podCidr.BaseAddress.AddressFamily == AddressFamily.InterNetworkV6 ? "::/0" : "0.0.0.0/0"));

    /// <summary>The oneshot unit that sets <paramref name="routes"/> (to the other nodes' pods) and the masquerade rule, at every boot.</summary>
    public string PodNetworkUnit(ClusterConfig config, HostSpec host, IReadOnlyList<PodRoute> routes)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(host);
        ArgumentNullException.ThrowIfNull(routes);
        return _renderer.Render("bootstrap-pod-network.service.sbn", new PodNetworkModel(
            host.Name,
            config.Name,
            config.Networking.PodSubnet.ToString(),
            [.. routes.Select(r => new RouteModel(r.Node, Command(PodNetworkCommands.RouteReplace(r))))],
            Command(PodNetworkCommands.Masquerade(config, "-D")),
            Command(PodNetworkCommands.Masquerade(config, "-A"))));
    }

    private static string Command(IReadOnlyList<string> argv) => string.Join(' ', argv.Select(SystemdQuote.Argument));

    private string Unit(string program, ClusterConfig config, HostSpec host, IReadOnlyList<string> arguments, IReadOnlyList<string>? environment = null) =>
        _renderer.Render(
            $"{program}.service.sbn",
            new SystemdUnitModel(
                host.Name,
                config.Name,
                SystemdQuote.Argument($"{NodeLayout.BinDir}/{program}"),
                arguments.Select(SystemdQuote.Argument).ToArray(),
                Environment: environment));

    private sealed record ContainerdModel(string SandboxImage, string CniBinDir, string CniConfDir, bool RestrictOomScoreAdj);

    private sealed record SysctlModel(string ClusterName, IReadOnlyList<KernelTunable> Tunables);

    private sealed record CniModel(string ClusterName, string PodCidr, string DefaultRoute);

    private sealed record PodNetworkModel(string HostName, string ClusterName, string PodSubnet, IReadOnlyList<RouteModel> Routes, string MasqueradeDelete, string MasqueradeAppend);

    private sealed record RouteModel(string Node, string Command);
}
