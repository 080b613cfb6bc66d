using Bootstrap.Core.Config;
using Bootstrap.Core.LoadBalancer;
using Bootstrap.Core.Rendering;

namespace Bootstrap.Core.Tests.LoadBalancer;

public sealed class LoadBalancerFilesTests
{
    private static readonly LoadBalancerFiles Files = new(new TemplateRenderer());

    private static string[] Lines(string text) => text.Split('\n').Select(l => l.Trim()).ToArray();

    [Fact]
    public void Haproxy_listens_on_the_endpoint_port_and_sends_to_every_apiserver_on_6443()
    {
        var config = LabCluster.Load();
        config = config with { ControlPlaneEndpoint = config.ControlPlaneEndpoint with { Port = 8443 } };

        var lines = Lines(Files.Haproxy(config));

        Assert.Contains("bind *:8443", lines);
        Assert.Equal(
            ["server cp1 192.168.56.21:6443", "server cp2 192.168.56.22:6443", "server cp3 192.168.56.23:6443"],
            lines.Where(l => l.StartsWith("server ", StringComparison.Ordinal)));
        Assert.Contains("mode tcp", lines);
        Assert.Contains("option httpchk GET /readyz", lines);
        Assert.Contains("option redispatch", lines);
        Assert.Contains("default-server check check-ssl verify none inter 2s fastinter 500ms fall 3 rise 2", lines);
    }

    [Fact]
    public void Haproxy_tells_keepalived_on_loopback_whether_any_api_server_is_up_and_a_roll_which_one_is()
    {
        var text = Files.Haproxy(LabCluster.Load());
        var monitor = text[text.IndexOf("frontend apiserver-backends", StringComparison.Ordinal)..];

        Assert.Equal(
            [
                "frontend apiserver-backends", "mode http", "bind 127.0.0.1:8404", "monitor-uri /apiserver-backends", "monitor fail if { nbsrv(kube-apiserver) lt 1 }",
                "stats enable", "stats uri /apiserver-backends/servers",
            ],
            Lines(monitor).Where(l => l.Length > 0 && !l.StartsWith('#')));
        Assert.Equal("http://127.0.0.1:8404/apiserver-backends", LoadBalancerFiles.MonitorUrl);
        Assert.Equal("http://127.0.0.1:8404/apiserver-backends/servers;csv", LoadBalancerFiles.ServersUrl);
        // No "stats admin", no "stats auth": the statistics are read-only and never leave the host.
        Assert.DoesNotContain("stats admin", text, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(2)]
    [InlineData(5)]
    [InlineData(20)]
    public void A_load_balancer_without_a_ready_api_server_drops_below_every_other_and_keeps_tracking_haproxy_itself(int count)
    {
        var config = LabCluster.Load();
        var extra = Enumerable.Range(3, count - 2)
            .Select(i => config.Host("lb2") with { Name = $"lb{i}", Address = System.Net.IPAddress.Parse($"192.168.56.{100 + i}") });
        config = config with { Hosts = [.. config.Hosts, .. extra] };

        var priorities = config.LoadBalancerHosts.Select(h => Lines(Files.Keepalived(config, h, "eth0", "secret1"))).Select(lines =>
        {
            Assert.Contains($"script \"/usr/bin/curl --silent --fail --max-time 1 --output /dev/null {LoadBalancerFiles.MonitorUrl}\"", lines);
            Assert.Contains("weight -100", lines);
            var tracked = lines.SkipWhile(l => l != "track_script {").Skip(1).TakeWhile(l => l != "}").ToArray();
            Assert.Equal(["haproxy_running", "apiserver_backends"], tracked);
            return int.Parse(lines.Single(l => l.StartsWith("priority ", StringComparison.Ordinal))["priority ".Length..], System.Globalization.CultureInfo.InvariantCulture);
        }).ToArray();

        Assert.Equal(count, priorities.Distinct().Count());
        Assert.True(priorities.Max() - LoadBalancerFiles.BackendsWeight < priorities.Min(), string.Join(", ", priorities));
        Assert.True(priorities.Min() - LoadBalancerFiles.BackendsWeight > 0);
    }

    [Fact]
    public void Keepalived_priorities_differ_and_the_first_load_balancer_starts_master()
    {
        var config = LabCluster.Load();

        var lb1 = Lines(Files.Keepalived(config, config.Host("lb1"), "eth0", "secret1"));
        var lb2 = Lines(Files.Keepalived(config, config.Host("lb2"), "eth0", "secret1"));

        Assert.Contains("state MASTER", lb1);
        Assert.Contains("priority 200", lb1);
        Assert.Contains("state BACKUP", lb2);
        Assert.Contains("priority 199", lb2);
    }

    [Fact]
    public void Keepalived_peers_are_the_other_load_balancers_and_the_vip_carries_the_host_subnet_prefix()
    {
        var config = LabCluster.Load();
        var lb3 = config.Host("lb2") with { Name = "lb3", Address = System.Net.IPAddress.Parse("192.168.56.13") };
        config = config with { Hosts = [.. config.Hosts, lb3] };

        var text = Files.Keepalived(config, config.Host("lb2"), "ens3", "secret1");

        Assert.Contains("unicast_src_ip 192.168.56.12\n", text, StringComparison.Ordinal);
        Assert.Contains("    check_unicast_src\n", text, StringComparison.Ordinal);
        Assert.Contains("unicast_peer {\n        192.168.56.11\n        192.168.56.13\n    }", text, StringComparison.Ordinal);
        Assert.Contains("192.168.56.10/24 dev ens3\n", text, StringComparison.Ordinal);
        Assert.Contains("interface ens3\n", text, StringComparison.Ordinal);
        Assert.Contains("auth_pass secret1\n", text, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("")]
    [InlineData("123456789")]
    [InlineData("has space")]
    [InlineData("quo\"te")]
    [InlineData("hash#")]
    [InlineData("new\nline")]
    public void Keepalived_refuses_a_password_it_could_not_write_safely(string password)
    {
        var config = LabCluster.Load();

        Assert.Throws<ArgumentException>(() => Files.Keepalived(config, config.Host("lb1"), "eth0", password));
    }

    [Theory]
    [InlineData("")]
    [InlineData("eth0 dev")]
    [InlineData("averyveryverylongname")]
    public void Keepalived_refuses_a_bad_interface_name(string name)
    {
        var config = LabCluster.Load();

        Assert.Throws<ArgumentException>(() => Files.Keepalived(config, config.Host("lb1"), name, "secret1"));
    }

    [Fact]
    public void Keepalived_is_only_for_load_balancer_hosts()
    {
        var config = LabCluster.Load();

        Assert.Throws<ArgumentException>(() => Files.Keepalived(config, config.Host("cp1"), "eth0", "secret1"));
    }

    [Fact]
    public void An_external_load_balancer_gets_no_haproxy_or_keepalived()
    {
        var config = LabCluster.Load();
        config = config with { LoadBalancer = new LoadBalancerSpec { Type = LoadBalancerType.External } };

        Assert.Throws<InvalidOperationException>(() => Files.Haproxy(config));
        Assert.Throws<InvalidOperationException>(() => Files.Keepalived(config, config.Host("lb1"), "eth0", "secret1"));
    }
}
