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
    public const string EtcdUser = "etcd";
    public const string SystemdDir = "/etc/systemd/system";
    public const string HaproxyConfig = "/etc/haproxy/haproxy.cfg";
    public const string KeepalivedConfig = "/etc/keepalived/keepalived.conf";
    public const string AdminKubeconfig = KubeadmLayout.KubernetesDir + "/" + KubeadmNames.AdminKubeconfig;

    private const int Public = 0b110_100_100;
    private const int Secret = 0b110_000_000;

    // Shared by every control-plane host: the three CAs with their keys, the service-account key pair.
    private static readonly string[] SharedPki =
    [
        "ca.crt", "ca.key", "sa.key", "sa.pub", "front-proxy-ca.crt", "front-proxy-ca.key", "etcd/ca.crt", "etcd/ca.key",
    ];

    private static readonly string[] ControlPlaneLeaves =
    [
        "apiserver", "apiserver-kubelet-client", "apiserver-etcd-client", "front-proxy-client",
    ];

    private readonly TemplateRenderer _renderer;

    public InstallFiles(TemplateRenderer renderer) => _renderer = renderer;

    /// <summary>The certificates and keys of a control-plane host and/or etcd member.</summary>
    public static IReadOnlyList<DesiredFile> Certificates(InstallMaterial material, HostSpec host)
    {
        ArgumentNullException.ThrowIfNull(material);
        var files = new List<DesiredFile>();
        if (host.HasRole(HostRole.ControlPlane))
        {
            foreach (var name in SharedPki)
            {
                files.Add(Pki(material, "pki/" + name, name));
            }

            foreach (var leaf in ControlPlaneLeaves)
            {
                files.Add(Pki(material, $"pki/{leaf}.crt", leaf + ".crt"));
                files.Add(Pki(material, $"pki/{leaf}.key", leaf + ".key"));
            }
        }

        if (material.Config.EtcdMembers.Contains(host))
        {
            if (!host.HasRole(HostRole.ControlPlane))
            {
                files.Add(Pki(material, "pki/etcd/ca.crt", "etcd/ca.crt"));
            }

            foreach (var pair in new[] { "server", "peer" })
            {
                // etcd runs as its own user and must read its key pairs.
                files.Add(Pki(material, $"hosts/{host.Name}/pki/etcd/{pair}.crt", $"etcd/{pair}.crt", EtcdUser));
                files.Add(Pki(material, $"hosts/{host.Name}/pki/etcd/{pair}.key", $"etcd/{pair}.key", EtcdUser));
            }

            files.Add(Pki(material, "pki/etcd/healthcheck-client.crt", "etcd/healthcheck-client.crt"));
            files.Add(Pki(material, "pki/etcd/healthcheck-client.key", "etcd/healthcheck-client.key"));
        }

        return files;
    }

    /// <summary>admin.conf, controller-manager.conf and scheduler.conf of a control-plane host (all pointing at the endpoint, as kubeadm v1.20 does).</summary>
    public static IReadOnlyList<DesiredFile> Kubeconfigs(InstallMaterial material)
    {
        ArgumentNullException.ThrowIfNull(material);
        return [.. new[] { KubeadmNames.AdminKubeconfig, KubeadmNames.ControllerManagerKubeconfig, KubeadmNames.SchedulerKubeconfig }
            .Select(name => DesiredFile.FromBytes(new FileSpec($"{KubeadmLayout.KubernetesDir}/{name}", Secret), material.StateFile(name)))];
    }

    public DesiredFile EtcdUnit(InstallMaterial material, HostSpec member) =>
        Unit("etcd", new ControlPlaneUnits(_renderer).Etcd(material.Config, member, EtcdClusterState.New));

    public IReadOnlyList<DesiredFile> ApiServer(InstallMaterial material, HostSpec host)
    {
        ArgumentNullException.ThrowIfNull(material);
        var config = material.Config;
        var files = new ApiServerConfigFiles(_renderer);
        return
        [
            Unit("kube-apiserver", new ControlPlaneUnits(_renderer).ApiServer(config, host, new ApiServerFlagOptions())),
            DesiredFile.FromText(new FileSpec(KubeadmLayout.AuditPolicy, Secret), files.AuditPolicy(config)),
            DesiredFile.FromText(new FileSpec(KubeadmLayout.EncryptionConfig, Secret), files.EncryptionConfig(config, InstallMaterial.EncryptionKeyName, material.EncryptionKey)),
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

    public static string UnitPath(string component) => $"{SystemdDir}/{component}.service";

    private static DesiredFile Unit(string component, string content) =>
        DesiredFile.FromText(new FileSpec(UnitPath(component), Public), content);

    private static DesiredFile Pki(InstallMaterial material, string statePath, string hostPath, string owner = "root")
    {
        var secret = statePath.EndsWith(".key", StringComparison.Ordinal);
        return DesiredFile.FromBytes(new FileSpec($"{KubeadmLayout.PkiDir}/{hostPath}", secret ? Secret : Public, owner, owner), material.StateFile(statePath));
    }
}
