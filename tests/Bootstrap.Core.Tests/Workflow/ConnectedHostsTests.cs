using Bootstrap.Core.Config;
using Bootstrap.Core.Remote;
using Bootstrap.Core.Workflow;

namespace Bootstrap.Core.Tests.Workflow;

public sealed class ConnectedHostsTests
{
    private sealed class Connector(Func<HostSpec, IRemoteHost> connect) : IHostConnector
    {
        public List<FakeHost> Opened { get; } = [];

        public Task<IRemoteHost> ConnectAsync(HostSpec host, CancellationToken cancellationToken)
        {
            var connected = connect(host);
            lock (Opened)
            {
                if (connected is FakeHost fake)
                {
                    Opened.Add(fake);
                }
            }

            return Task.FromResult(connected);
        }
    }

    [Fact]
    public async Task Connects_every_host_by_name()
    {
        var connector = new Connector(h => new FakeHost(h.Name));

        await using var hosts = await ConnectedHosts.ConnectAsync(connector, WorkflowFixtures.LabConfig.Hosts, 3, Serilog.Core.Logger.None, CancellationToken.None);

        Assert.Equal(["cp1", "cp2", "cp3", "lb1", "lb2", "w1", "w2"], hosts.ByName.Keys.Order());
    }

    [Fact]
    public async Task A_failed_host_is_named_and_the_others_are_closed_again()
    {
        var connector = new Connector(h => h.Name is "cp2" or "w1"
            ? throw new IOException($"{h.Name}: cannot connect to root@{h.Address}:22: connection refused")
            : new FakeHost(h.Name));

        var error = await Assert.ThrowsAsync<HostFanOutException>(() =>
            ConnectedHosts.ConnectAsync(connector, WorkflowFixtures.LabConfig.Hosts, 7, Serilog.Core.Logger.None, CancellationToken.None));

        Assert.Equal(["cp2", "w1"], error.FailedHosts);
        Assert.Contains("cp2: cannot connect to root@192.168.56.22:22", error.Message, StringComparison.Ordinal);
        Assert.Equal(5, connector.Opened.Count);
        Assert.All(connector.Opened, h => Assert.True(h.Disposed));
    }

    [Fact]
    public async Task An_optional_host_that_cannot_be_reached_is_only_left_out_and_named()
    {
        var connector = new Connector(h => h.Name == "lb2"
            ? throw new IOException($"{h.Name}: cannot connect to root@{h.Address}:22: no route to host")
            : new FakeHost(h.Name));
        var config = WorkflowFixtures.LabConfig;

        var (hosts, unreachable) = await ConnectedHosts.ConnectWithOptionalAsync(
            connector, config.ControlPlaneHosts, config.LoadBalancerHosts, 3, new SecretRedactor(), Serilog.Core.Logger.None, CancellationToken.None);
        await using var connected = hosts;

        Assert.Equal(["cp1", "cp2", "cp3", "lb1"], hosts.ByName.Keys.Order());
        Assert.Equal(["lb2"], unreachable.Keys);
        Assert.Contains("no route to host", unreachable["lb2"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_required_host_that_cannot_be_reached_fails_the_whole_and_the_others_are_closed_again()
    {
        var connector = new Connector(h => h.Name is "cp3" or "lb1"
            ? throw new IOException($"{h.Name}: cannot connect to root@{h.Address}:22: connection refused")
            : new FakeHost(h.Name));
        var config = WorkflowFixtures.LabConfig;

        var error = await Assert.ThrowsAsync<HostFanOutException>(() => ConnectedHosts.ConnectWithOptionalAsync(
            connector, config.ControlPlaneHosts, config.LoadBalancerHosts, 5, new SecretRedactor(), Serilog.Core.Logger.None, CancellationToken.None));

        Assert.Equal(["cp3"], error.FailedHosts);
        Assert.Contains("cp3: cannot connect to root@192.168.56.23:22: connection refused", error.Message, StringComparison.Ordinal);
        Assert.Equal(3, connector.Opened.Count);
        Assert.All(connector.Opened, h => Assert.True(h.Disposed));
    }
}
