using Bootstrap.Core.Config;
using Bootstrap.Core.Rendering;

namespace Bootstrap.Core.ControlPlane;

/// <summary>
/// The systemd units of etcd and the control-plane components on one host, from the flag builders.
/// Programs run from <see cref="KubeadmLayout.BinDir"/>; each argument is quoted for systemd.
/// </summary>
internal sealed class ControlPlaneUnits
{
    private readonly TemplateRenderer _renderer;

    public ControlPlaneUnits(TemplateRenderer renderer) => _renderer = renderer;

    public string Etcd(ClusterConfig config, HostSpec member, EtcdClusterState state) =>
        Etcd(config, member, EtcdInitialCluster.New(config) with { State = state });

    public string Etcd(ClusterConfig config, HostSpec member, EtcdInitialCluster initial) =>
        Render("etcd", config, member, EtcdFlags.Build(config, member, initial), loadCredentials: EtcdCredentials.LoadCredentials);

    public string ApiServer(ClusterConfig config, HostSpec host, ApiServerFlagOptions options) =>
        Render("kube-apiserver", config, host, ApiServerFlags.Build(config, host, options), (int)ApiServerHandover.StopTimeout.TotalSeconds);

    public string ControllerManager(ClusterConfig config, HostSpec host) =>
        Render("kube-controller-manager", config, RequireControlPlane(host), ControllerManagerFlags.Build(config));

    public string Scheduler(ClusterConfig config, HostSpec host) =>
        Render("kube-scheduler", config, RequireControlPlane(host), SchedulerFlags.Build(config));

    private string Render(
        string program, ClusterConfig config, HostSpec host, IReadOnlyList<string> arguments, int? stopTimeoutSeconds = null, IReadOnlyList<string>? loadCredentials = null) =>
        _renderer.Render(
            $"{program}.service.sbn",
            new SystemdUnitModel(
                host.Name,
                config.Name,
                SystemdQuote.Argument($"{KubeadmLayout.BinDir}/{program}"),
                arguments.Select(SystemdQuote.Argument).ToArray(),
                stopTimeoutSeconds,
                loadCredentials));

    private static HostSpec RequireControlPlane(HostSpec host) =>
        host.HasRole(HostRole.ControlPlane) ? host : throw new ArgumentException($"host {host.Name} is not a control-plane host", nameof(host));
}
