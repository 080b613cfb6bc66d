using Bootstrap.Core.Install;

namespace Bootstrap.Core.Tests.Phases.Reset;

public sealed class HostFootprintTests
{
    private static readonly Bootstrap.Core.Config.ClusterConfig Config = LabCluster.Load();

    [Fact]
    public void A_worker_loses_its_kubelet_kube_proxy_pod_network_and_containerd_state_but_keeps_the_os_packages_units()
    {
        var paths = HostFootprint.Paths(Config, Config.Host("w1"));

        Assert.Equal(
            [
                "/etc/systemd/system/kubelet.service", "/etc/systemd/system/kube-proxy.service", "/etc/systemd/system/bootstrap-pod-network.service", "/etc/kubernetes", "/var/lib/kubelet", "/var/lib/kube-proxy",
                "/etc/cni/net.d/10-bootstrap-bridge.conflist", "/etc/containerd/config.toml", "/var/lib/cni", "/usr/local/bin/kubelet", "/usr/local/bin/kube-proxy", "/var/lib/bootstrap",
            ],
            paths);
        Assert.DoesNotContain(paths, p => p.Contains("containerd.service", StringComparison.Ordinal));
    }

    [Fact]
    public void A_control_plane_loses_its_etcd_data_and_every_component_and_services_stop_dependents_first()
    {
        var paths = HostFootprint.Paths(Config, Config.Host("cp1"));
        var services = HostFootprint.Services(Config, Config.Host("cp1")).Select(s => s.Component).ToList();

        Assert.Contains("/var/lib/etcd", paths);
        Assert.Contains("/etc/systemd/system/kube-apiserver.service", paths);
        Assert.Contains("/var/log/kubernetes/audit", paths);
        Assert.Contains("/usr/local/bin/etcdctl", paths);
        Assert.Equal(["bootstrap-pod-network", "kube-proxy", "kubelet", "kube-scheduler", "kube-controller-manager", "kube-apiserver", "etcd", "containerd"], services);
    }

    [Fact]
    public void A_load_balancer_loses_its_configuration_and_the_manifest_of_installed_files_and_stops_keepalived_before_haproxy()
    {
        Assert.Equal(["/etc/haproxy/haproxy.cfg", "/etc/keepalived/keepalived.conf", "/var/lib/bootstrap"], HostFootprint.Paths(Config, Config.Host("lb1")));
        Assert.StartsWith("/var/lib/bootstrap/", Bootstrap.Core.Remote.InstalledFilesManifest.DefaultPath, StringComparison.Ordinal);
        Assert.Equal(["keepalived", "haproxy"], HostFootprint.Services(Config, Config.Host("lb1")).Select(s => s.Component));
    }
}
