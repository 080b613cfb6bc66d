using Bootstrap.Core.Remote;
using Bootstrap.Core.Tests.Workflow;
using Bootstrap.Core.Workflow;
using Serilog.Core;

namespace Bootstrap.Core.Tests.Remote;

public sealed class ConnectionPoolTests
{
    [Fact]
    public async Task More_hosts_than_the_bound_never_hold_more_connections_open_than_the_bound()
    {
        var site = new Site();
        var names = Enumerable.Range(1, 12).Select(i => $"w{i}").ToList();
        var pool = new ConnectionPool(3, Logger.None);
        var hosts = await Task.WhenAll(names.Select(n => pool.ConnectAsync(_ => site.ConnectAsync(n), CancellationToken.None)));

        var answers = await Task.WhenAll(Enumerable.Range(0, 60).Select(async i =>
            (await hosts[i % hosts.Length].RunAsync(RemoteCommand.Of("hostname"), CancellationToken.None)).Stdout));

        Assert.Equal(Enumerable.Range(0, 60).Select(i => names[i % names.Count]), answers);
        Assert.InRange(site.MostLive, 1, 3);
        Assert.InRange(pool.Peak, 1, 3);
        Assert.True(pool.Reopened > 0);
        Assert.Equal(12 + pool.Reopened, site.Opened.Count);
    }

    [Fact]
    public async Task The_least_recently_used_idle_connection_is_closed_first()
    {
        var site = new Site();
        var pool = new ConnectionPool(2, Logger.None);
        var a = await pool.ConnectAsync(_ => site.ConnectAsync("a"), CancellationToken.None);
        await pool.ConnectAsync(_ => site.ConnectAsync("b"), CancellationToken.None);
        await a.RunAsync(RemoteCommand.Of("true"), CancellationToken.None);

        await pool.ConnectAsync(_ => site.ConnectAsync("c"), CancellationToken.None);

        Assert.Equal(["b"], site.Closed);
        Assert.Equal(2, site.Live);
    }

    [Fact]
    public async Task A_host_in_use_is_never_closed_under_its_call_the_next_opening_waits_for_it()
    {
        var site = new Site();
        var pool = new ConnectionPool(1, Logger.None);
        var a = await pool.ConnectAsync(_ => site.ConnectAsync("a"), CancellationToken.None);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        site.Blocking["a"] = release.Task;

        var running = a.RunAsync(RemoteCommand.Of("sleep"), CancellationToken.None);
        await site.Started("a");
        var connectingB = pool.ConnectAsync(_ => site.ConnectAsync("b"), CancellationToken.None);
        await Task.Yield();

        Assert.False(connectingB.IsCompleted);
        Assert.Empty(site.Closed);
        release.SetResult();
        await running;
        await connectingB;
        Assert.Equal(["a"], site.Closed);
        Assert.True(site.CallEnded["a"] < site.ClosedAt["a"]);
        Assert.Equal(1, site.MostLive);
    }

    [Fact]
    public async Task A_closed_host_is_connected_again_on_its_next_call()
    {
        var site = new Site();
        var pool = new ConnectionPool(1, Logger.None);
        var a = await pool.ConnectAsync(_ => site.ConnectAsync("a"), CancellationToken.None);
        var b = await pool.ConnectAsync(_ => site.ConnectAsync("b"), CancellationToken.None);

        var first = await a.RunAsync(RemoteCommand.Of("hostname"), CancellationToken.None);
        var second = await b.RunAsync(RemoteCommand.Of("hostname"), CancellationToken.None);

        Assert.Equal(("a", "b"), (first.Stdout, second.Stdout));
        Assert.Equal(["a", "b", "a", "b"], site.Opened);
        Assert.Equal(["a", "b", "a"], site.Closed);
        Assert.Equal(2, pool.Reopened);
        // Each connection was made from the latest one (what it was verified with carries over).
        Assert.Equal([null, null, "a#0", "b#1"], site.ReopenedFrom);
    }

    [Fact]
    public async Task Concurrent_calls_on_a_closed_host_connect_it_again_once()
    {
        var site = new Site();
        var pool = new ConnectionPool(1, Logger.None);
        var a = await pool.ConnectAsync(_ => site.ConnectAsync("a"), CancellationToken.None);
        await pool.ConnectAsync(_ => site.ConnectAsync("b"), CancellationToken.None);

        var answers = await Task.WhenAll(Enumerable.Range(0, 5).Select(_ => a.RunAsync(RemoteCommand.Of("hostname"), CancellationToken.None)));

        Assert.All(answers, r => Assert.Equal("a", r.Stdout));
        Assert.Equal(["a", "b", "a"], site.Opened);
    }

    [Fact]
    public async Task A_failed_reconnection_fails_that_call_naming_the_host_and_gives_its_room_back()
    {
        var site = new Site();
        var pool = new ConnectionPool(1, Logger.None);
        var a = await pool.ConnectAsync(_ => site.ConnectAsync("a"), CancellationToken.None);
        var b = await pool.ConnectAsync(_ => site.ConnectAsync("b"), CancellationToken.None);
        site.Refusing["a"] = "a: cannot connect to root@192.168.56.21:22 (attempt 3 of 3): Connection refused";

        var error = await Assert.ThrowsAsync<HostReconnectException>(() => a.RunAsync(RemoteCommand.Of("true"), CancellationToken.None));
        var other = await b.RunAsync(RemoteCommand.Of("hostname"), CancellationToken.None);

        Assert.Equal("a", error.Host);
        Assert.Equal("a: cannot connect again (its idle connection was closed to keep at most 1 open): "
            + "cannot connect to root@192.168.56.21:22 (attempt 3 of 3): Connection refused", error.Message);
        Assert.Equal("b", other.Stdout);
        Assert.Equal(1, site.MostLive);
    }

    [Fact]
    public async Task A_connection_found_closed_is_given_up_and_the_call_made_once_more_on_a_new_one()
    {
        var site = new Site();
        var pool = new ConnectionPool(2, Logger.None);
        var a = await pool.ConnectAsync(_ => site.ConnectAsync("a"), CancellationToken.None);
        site.Dropping["a"] = 1;

        var answer = await a.RunAsync(RemoteCommand.Of("hostname"), CancellationToken.None);

        Assert.Equal("a", answer.Stdout);
        Assert.Equal(["a", "a"], site.Opened);
        Assert.Equal(["a"], site.Closed);
        Assert.Equal([null, "a#0"], site.ReopenedFrom);
        Assert.Equal(1, pool.Reopened);
        Assert.Equal(1, site.MostLive);
    }

    [Fact]
    public async Task A_new_connection_found_closed_again_fails_that_call_and_the_next_call_connects_once_more()
    {
        var site = new Site();
        var pool = new ConnectionPool(1, Logger.None);
        var a = await pool.ConnectAsync(_ => site.ConnectAsync("a"), CancellationToken.None);
        site.Dropping["a"] = 2;

        var error = await Assert.ThrowsAsync<ConnectionLostException>(() => a.RunAsync(RemoteCommand.Of("hostname"), CancellationToken.None));
        var answer = await a.RunAsync(RemoteCommand.Of("hostname"), CancellationToken.None);

        Assert.Equal("a: the connection is closed; cannot run `hostname`.", error.Message);
        Assert.Equal("a", answer.Stdout);
        Assert.Equal(["a", "a", "a"], site.Opened);
        Assert.Equal(["a", "a"], site.Closed);
        Assert.Equal(1, site.MostLive);
    }

    [Fact]
    public async Task A_cancelled_wait_for_room_takes_none()
    {
        var site = new Site();
        var pool = new ConnectionPool(1, Logger.None);
        var a = await pool.ConnectAsync(_ => site.ConnectAsync("a"), CancellationToken.None);
        var b = await pool.ConnectAsync(_ => site.ConnectAsync("b"), CancellationToken.None);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        site.Blocking["b"] = release.Task;
        var running = b.RunAsync(RemoteCommand.Of("sleep"), CancellationToken.None);
        await site.Started("b");

        using var cancel = new CancellationTokenSource();
        var waiting = a.RunAsync(RemoteCommand.Of("true"), cancel.Token);
        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting);
        release.SetResult();
        await running;

        Assert.Equal("a", (await a.RunAsync(RemoteCommand.Of("hostname"), CancellationToken.None)).Stdout);
        Assert.Equal(["a", "b", "a"], site.Opened);
        Assert.Equal(1, site.MostLive);
    }

    [Fact]
    public async Task With_no_more_hosts_than_the_bound_no_connection_is_closed_or_made_again()
    {
        var site = new Site();
        var connector = new SiteConnector(site);

        await using (var hosts = await ConnectedHosts.ConnectAsync(connector, WorkflowFixtures.LabConfig.Hosts, 7, Logger.None, CancellationToken.None))
        {
            await Task.WhenAll(Enumerable.Range(0, 70).Select(i =>
                hosts.ByName.Values.ElementAt(i % 7).RunAsync(RemoteCommand.Of("true"), CancellationToken.None)));

            Assert.Equal(7, site.Opened.Count);
            Assert.Empty(site.Closed);
            Assert.Equal(0, hosts.Reconnects);
        }

        Assert.Equal(7, site.Closed.Count);
        Assert.Equal(0, site.Live);
    }

    [Fact]
    public async Task Connecting_more_hosts_than_the_bound_verifies_every_one_and_keeps_the_bound()
    {
        var site = new Site();

        await using (var hosts = await ConnectedHosts.ConnectAsync(new SiteConnector(site), WorkflowFixtures.LabConfig.Hosts, 2, Logger.None, CancellationToken.None))
        {
            Assert.Equal(["cp1", "cp2", "cp3", "lb1", "lb2", "w1", "w2"], site.Opened.Order());
            Assert.Equal(2, site.Live);
            Assert.Equal(2, hosts.MostOpen);
            Assert.Equal(2, site.MostLive);
        }

        Assert.Equal(0, site.Live);
    }

    [Fact]
    public async Task A_host_without_a_connection_to_reopen_is_handed_out_as_it_is_and_not_counted()
    {
        var pool = new ConnectionPool(1, Logger.None);
        var local = new FakeHost("workstation");
        var other = new FakeHost("other");

        var first = await pool.ConnectAsync(_ => Task.FromResult<IRemoteHost>(local), CancellationToken.None);
        var second = await pool.ConnectAsync(_ => Task.FromResult<IRemoteHost>(other), CancellationToken.None);

        Assert.Same(local, first);
        Assert.Same(other, second);
        Assert.False(local.Disposed);
    }

    [Fact]
    public async Task A_pinned_host_is_never_closed_to_make_room_and_pinning_always_leaves_room_for_the_others()
    {
        // The lease rides on a pinned connection: closing it while idle would end the session that holds the lease.
        var site = new Site();
        var pool = new ConnectionPool(3, Logger.None);
        var a = (PooledHost)await pool.ConnectAsync(_ => site.ConnectAsync("a"), CancellationToken.None);
        var b = (PooledHost)await pool.ConnectAsync(_ => site.ConnectAsync("b"), CancellationToken.None);
        var c = (PooledHost)await pool.ConnectAsync(_ => site.ConnectAsync("c"), CancellationToken.None);

        Assert.True(a.TryPin());
        Assert.True(a.TryPin());
        Assert.True(b.TryPin());
        Assert.False(c.TryPin()); // a third pin would leave no room: every other host would wait forever
        var others = await Task.WhenAll(Enumerable.Range(1, 8).Select(i => pool.ConnectAsync(_ => site.ConnectAsync($"w{i}"), CancellationToken.None)));
        await Task.WhenAll(Enumerable.Range(0, 40).Select(i => (i % 5 == 0 ? a : others[i % others.Length]).RunAsync(RemoteCommand.Of("true"), CancellationToken.None)));

        Assert.Single(site.Opened, "a");
        Assert.Single(site.Opened, "b");
        Assert.DoesNotContain("a", site.Closed);
        Assert.DoesNotContain("b", site.Closed);
        Assert.Contains("c", site.Closed);
        Assert.InRange(site.MostLive, 1, 3);
    }

    [Fact]
    public async Task The_lease_takes_the_run_s_own_connection_of_a_host_keeps_it_open_and_never_closes_it()
    {
        var site = new Site();
        var connector = new SiteConnector(site);
        var lab = WorkflowFixtures.LabConfig.Hosts;
        var needed = lab.Where(h => h.Name != "cp3").ToList();
        var lease = new LeaseConnections(connector, needed, WorkflowFixtures.LabConfig.Hosts.Where(h => h.Name.StartsWith("cp", StringComparison.Ordinal)));

        // Bound 3 for 6 hosts: without its pin, cp1's idle connection would be closed and made again.
        await using (var hosts = await ConnectedHosts.ConnectAsync(connector, needed, 3, Logger.None, CancellationToken.None, lease.Connected, lease.Shares))
        {
            lease.ConnectingEnded();
            var cp1 = await lease.ConnectAsync(lab.Single(h => h.Name == "cp1"), CancellationToken.None);
            var cp3 = await lease.ConnectAsync(lab.Single(h => h.Name == "cp3"), CancellationToken.None);
            await Task.WhenAll(Enumerable.Range(0, 30).Select(i => hosts.ByName.Values.ElementAt(i % 6).RunAsync(RemoteCommand.Of("true"), CancellationToken.None)));
            Assert.Equal("cp1", (await cp1.RunAsync(RemoteCommand.Of("hostname"), CancellationToken.None)).Stdout);
            await cp1.DisposeAsync();
            await cp3.DisposeAsync();

            Assert.Single(site.Opened, "cp1"); // the run's connection, not one of the lease's own
            Assert.Single(site.Opened, "cp2");
            Assert.True(lease.Shares(lab.Single(h => h.Name == "cp2")));
            Assert.False(lease.Shares(lab.Single(h => h.Name == "w1")));
            Assert.DoesNotContain("cp1", site.Closed);
            Assert.Single(site.Opened, "cp3"); // a host the run does not need: the lease's own connection, which it closes
            Assert.Contains("cp3", site.Closed);
            Assert.True(hosts.Reconnects > 0);
        }

        Assert.Contains("cp1", site.Closed); // closed with the run's connections
    }

    [Fact]
    public async Task The_lease_does_not_wait_for_a_host_the_run_could_not_connect()
    {
        var site = new Site();
        var lab = WorkflowFixtures.LabConfig.Hosts;
        var lease = new LeaseConnections(new SiteConnector(site), lab, lab);
        var waiting = lease.ConnectAsync(lab.Single(h => h.Name == "cp2"), CancellationToken.None);

        Assert.False(waiting.IsCompleted);
        lease.ConnectingEnded();

        var error = await Assert.ThrowsAsync<IOException>(() => waiting);
        Assert.Equal("cp2: the run could not connect to it", error.Message);
        Assert.Empty(site.Opened);
    }

    private sealed class SiteConnector(Site site) : IHostConnector
    {
        public Task<IRemoteHost> ConnectAsync(Bootstrap.Core.Config.HostSpec host, CancellationToken cancellationToken) => site.ConnectAsync(host.Name);
    }

    /// <summary>The far side: which connections are open, and when each call and closing happened.</summary>
    private sealed class Site
    {
        private readonly Lock _lock = new();
        private readonly Dictionary<string, TaskCompletionSource> _started = [];
        private long _clock;

        public List<string> Opened { get; } = [];

        public List<string?> ReopenedFrom { get; } = [];

        public List<string> Closed { get; } = [];

        public int Live { get; private set; }

        public int MostLive { get; private set; }

        public Dictionary<string, Task> Blocking { get; } = [];

        public Dictionary<string, string> Refusing { get; } = [];

        /// <summary>How many more calls on the host's connections find them closed (nothing sent).</summary>
        public Dictionary<string, int> Dropping { get; } = [];

        public Dictionary<string, long> CallEnded { get; } = [];

        public Dictionary<string, long> ClosedAt { get; } = [];

        public Task<IRemoteHost> ConnectAsync(string name) => Task.FromResult<IRemoteHost>(Open(name, from: null));

        public Task Started(string name) => StartedSource(name).Task;

        public Connection Open(string name, Connection? from)
        {
            lock (_lock)
            {
                if (from is not null && Refusing.TryGetValue(name, out var why))
                {
                    throw new IOException(why);
                }

                Opened.Add(name);
                ReopenedFrom.Add(from?.Id);
                Live++;
                MostLive = Math.Max(MostLive, Live);
                return new Connection(this, name, $"{name}#{Opened.Count - 1}");
            }
        }

        public async Task<CommandResult> CallAsync(Connection connection)
        {
            Assert.False(connection.Disposed, $"{connection.Name}: a call on a closed connection");
            lock (_lock)
            {
                if (Dropping.TryGetValue(connection.Name, out var drops) && drops > 0)
                {
                    Dropping[connection.Name] = drops - 1;
                    throw new ConnectionLostException(connection.Name, "`hostname`");
                }
            }

            StartedSource(connection.Name).TrySetResult();
            if (Blocking.TryGetValue(connection.Name, out var gate))
            {
                await gate;
            }
            else
            {
                await Task.Yield();
            }

            Assert.False(connection.Disposed, $"{connection.Name}: closed under a call");
            lock (_lock)
            {
                CallEnded[connection.Name] = ++_clock;
            }

            return new CommandResult(0, connection.Name, string.Empty);
        }

        public void Close(Connection connection)
        {
            lock (_lock)
            {
                Closed.Add(connection.Name);
                ClosedAt[connection.Name] = ++_clock;
                Live--;
            }
        }

        private TaskCompletionSource StartedSource(string name)
        {
            lock (_lock)
            {
                return _started.TryGetValue(name, out var source)
                    ? source
                    : _started[name] = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            }
        }
    }

    private sealed class Connection(Site site, string name, string id) : IReopenableHost
    {
        public string Name { get; } = name;

        public string Id { get; } = id;

        public bool Disposed { get; private set; }

        public Task<CommandResult> RunAsync(RemoteCommand command, CancellationToken cancellationToken) => site.CallAsync(this);

        public Task<IReopenableHost> ReopenAsync(CancellationToken cancellationToken) => Task.FromResult<IReopenableHost>(site.Open(Name, this));

        public Task<UploadResult> UploadAsync(Stream content, FileSpec target, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<byte[]?> DownloadAsync(string path, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<bool> DownloadToAsync(string path, Stream destination, CancellationToken cancellationToken) => throw new NotSupportedException();

        public ValueTask DisposeAsync()
        {
            Assert.False(Disposed, $"{Name}: closed twice");
            Disposed = true;
            site.Close(this);
            return ValueTask.CompletedTask;
        }
    }
}
