using Bootstrap.Core.Config;
using Bootstrap.Core.ControlPlane;
using Bootstrap.Core.LoadBalancer;
using Bootstrap.Core.Pki;
using Bootstrap.Core.Remote;
using Bootstrap.Core.Rendering;

namespace Bootstrap.Core.Install;

/// <summary>
/// Which files each install phase puts on a host, with kubeadm's paths and modes (keys and kubeconfigs
/// 0600, certificates 0644). Pure: everything comes from the <see cref="InstallMaterial"/> and the
/// renderers, so the plan and the run see the same bytes.
/// </summary>
internal sealed class InstallFiles
{
    public const string EtcdUser = CertificateCatalog.EtcdUser;
    public const string SystemdDir = "/etc/systemd/system";
    public const string HaproxyConfig = "/etc/haproxy/haproxy.cfg";
    public const string KeepalivedConfig = "/etc/keepalived/keepalived.conf";
    public const string AdminKubeconfig = KubeadmLayout.KubernetesDir + "/" + KubeadmNames.AdminKubeconfig;

    private const int Public = 0b110_100_100;
    private const int Secret = 0b110_000_000;

    private readonly TemplateRenderer _renderer;

    public InstallFiles(TemplateRenderer renderer) => _renderer = renderer;

    /// <summary>The certificates and keys of a control-plane host and/or etcd member (<see cref="CertificatePlacement"/>).</summary>
    public static IReadOnlyList<DesiredFile> Certificates(InstallMaterial material, HostSpec host) =>
        Placed(material, host, kubeconfigs: false);

    /// <summary>admin.conf, controller-manager.conf and scheduler.conf of a control-plane host (all pointing at the endpoint, as kubeadm v1.20 does).</summary>
    public static IReadOnlyList<DesiredFile> Kubeconfigs(InstallMaterial material, HostSpec host) =>
        Placed(material, host, kubeconfigs: true);

    /// <summary>The etcd unit of <paramref name="member"/>, bootstrapping with <paramref name="initial"/> (see <see cref="EtcdInitialCluster"/>).</summary>
    public DesiredFile EtcdUnit(InstallMaterial material, HostSpec member, EtcdInitialCluster initial) =>
        Unit("etcd", new ControlPlaneUnits(_renderer).Etcd(material.Config, member, initial));

    public IReadOnlyList<DesiredFile> ApiServer(InstallMaterial material, HostSpec host)
    {
        ArgumentNullException.ThrowIfNull(material);
        var config = material.Config;
        var files = new ApiServerConfigFiles(_renderer);
        return
        [
            Unit("kube-apiserver", new ControlPlaneUnits(_renderer).ApiServer(config, host, ApiServerFlagOptions.For(config))),
            DesiredFile.FromText(new FileSpec(KubeadmLayout.AuditPolicy, Secret), files.AuditPolicy(config)),
            DesiredFile.FromText(new FileSpec(KubeadmLayout.EncryptionConfig, Secret), files.EncryptionConfig(config, material.EncryptionKeys)),
        ];
    }

    public DesiredFile ControllerManagerUnit(InstallMaterial material, HostSpec host) =>
        Unit("kube-controller-manager", new ControlPlaneUnits(_renderer).ControllerManager(material.Config, host));

    public DesiredFile SchedulerUnit(InstallMaterial material, HostSpec host) =>
        Unit("kube-scheduler", new ControlPlaneUnits(_renderer).Scheduler(material.Config, host));

    public IReadOnlyList<DesiredFile> LoadBalancer(InstallMaterial material, HostSpec host, string interfaceName)
    {
        ArgumentNullException.ThrowIfNull(material);
        var files = new LoadBalancerFiles(_renderer);
        return
        [
            DesiredFile.FromText(new FileSpec(HaproxyConfig, Public), files.Haproxy(material.Config)),
            DesiredFile.FromText(new FileSpec(KeepalivedConfig, Secret), files.Keepalived(material.Config, host, interfaceName, material.VrrpPassword)),
        ];
    }

    /// <summary>The binaries <paramref name="host"/> runs, from the artifacts.</summary>
    public static IReadOnlyList<DesiredFile> Binaries(InstallMaterial material, HostSpec host)
    {
        ArgumentNullException.ThrowIfNull(material);
        return [.. BinariesFor(material.Config, host).Select(material.Artifacts.Binary)];
    }

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

        if (config.IsNode(host))
        {
            names.AddRange(["kubelet", "kube-proxy"]);
        }

        return names;
    }

    /// <summary>
    /// The shared files of <paramref name="host"/> (certificates, kubeconfigs, binaries) that <paramref name="service"/>
    /// reads: its own phase installs them too, so that a change to one reaches the host in the service's turn.
    /// </summary>
    public static IReadOnlyList<DesiredFile> ReadBy(InstallMaterial material, HostSpec host, ServiceSpec service)
    {
        ArgumentNullException.ThrowIfNull(service);
        return [.. Certificates(material, host).Concat(Kubeconfigs(material, host)).Concat(Binaries(material, host))
            .Where(f => service.Inputs.Contains(f.Path, StringComparer.Ordinal))];
    }

    public static string UnitPath(string component) => $"{SystemdDir}/{component}.service";

    private static DesiredFile Unit(string component, string content) =>
        DesiredFile.FromText(new FileSpec(UnitPath(component), Public), content);

    private static IReadOnlyList<DesiredFile> Placed(InstallMaterial material, HostSpec host, bool kubeconfigs)
    {
        ArgumentNullException.ThrowIfNull(material);
        ArgumentNullException.ThrowIfNull(host);
        return [.. CertificatePlacement.For(PkiRequestFactory.FromCluster(material.Config), host.Name)
            .Where(f => (f.Entry == CertificateKind.Kubeconfig) == kubeconfigs)
            .Select(f => DesiredFile.FromBytes(new FileSpec(f.HostPath, f.Secret ? Secret : Public, f.Owner, f.Owner), material.StateFile(f.StatePath)))];
    }
}
