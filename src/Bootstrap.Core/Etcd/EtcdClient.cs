using System.Globalization;
using Bootstrap.Core.Config;
using Bootstrap.Core.ControlPlane;
using Bootstrap.Core.Remote;

namespace Bootstrap.Core.Etcd;

/// <summary>
/// etcd through etcdctl (v3.4) on one host, over whatever runs its commands (SSH, a read-only view while planning,
/// or this machine): so it works wherever SSH works, with no assumption that the workstation reaches port 2379.
/// Every call is one argv command with <c>-w json</c> where etcdctl has it, parsed by <see cref="EtcdOutput"/>; a
/// refusal is an <see cref="EtcdException"/> with etcd's own words.
/// </summary>
internal sealed class EtcdClient
{
    /// <summary>How long a request may take inside etcdctl (a member that does not answer is given up on after this).</summary>
    private const string CommandTimeout = "10s";

    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan SnapshotBound = TimeSpan.FromMinutes(15);

    private readonly ICommandRunner _host;
    private readonly EtcdctlSettings _settings;
    private readonly SecretRedactor _redactor;

    /// <param name="localEndpoint">The member's own client URL on the host (loopback), for requests to one member.</param>
    public EtcdClient(ICommandRunner host, EtcdctlSettings settings, string localEndpoint, SecretRedactor redactor)
    {
        _host = host;
        _settings = settings;
        LocalEndpoint = localEndpoint;
        _redactor = redactor;
    }

    public string HostName => _host.Name;

    public string LocalEndpoint { get; }

    /// <summary>etcdctl on the member <paramref name="member"/> (reached through <paramref name="host"/>), talking to its loopback client URL.</summary>
    public static EtcdClient OnMember(ICommandRunner host, HostSpec member, SecretRedactor redactor)
    {
        ArgumentNullException.ThrowIfNull(member);
        return new EtcdClient(host, EtcdctlSettings.OnMember, LoopbackUrl(member), redactor);
    }

    /// <summary>The client URL a member listens on at its loopback (the family of its address, as etcd's unit has it).</summary>
    public static string LoopbackUrl(HostSpec member)
    {
        ArgumentNullException.ThrowIfNull(member);
        return Endpoints.Url("https", Endpoints.LoopbackFor(member.Address), KubeadmLayout.EtcdClientPort);
    }

    /// <summary>A member's peer URL, as the cluster file's address gives it and etcd lists it.</summary>
    public static string PeerUrl(HostSpec member)
    {
        ArgumentNullException.ThrowIfNull(member);
        return Endpoints.Url("https", member.Address, KubeadmLayout.EtcdPeerPort);
    }

    /// <summary>A member's client URL on its address.</summary>
    public static string ClientUrl(HostSpec member)
    {
        ArgumentNullException.ThrowIfNull(member);
        return Endpoints.Url("https", member.Address, KubeadmLayout.EtcdClientPort);
    }

    /// <summary>Whether the local member answers a quorum read (what <c>endpoint health</c> does); a learner never does.</summary>
    public async Task<bool> LocalHealthyAsync(CancellationToken cancellationToken)
    {
        var result = await _host.RunAsync(LocalHealthCommand(), cancellationToken).ConfigureAwait(false);
        return result.Succeeded;
    }

    /// <summary>What <see cref="LocalHealthyAsync"/> runs.</summary>
    public RemoteCommand LocalHealthCommand() => Command([LocalEndpoint], json: false, "5s", Bound, "endpoint", "health");

    /// <summary>What <see cref="MembersAsync"/> runs.</summary>
    public RemoteCommand MembersCommand() => Command([LocalEndpoint], json: true, CommandTimeout, Bound, "member", "list");

    /// <summary>What <see cref="HealthAsync"/> runs for <paramref name="endpoints"/>.</summary>
    public RemoteCommand HealthCommand(IReadOnlyList<string> endpoints) => Command(endpoints, json: true, "5s", Bound, "endpoint", "health");

    /// <summary>What <see cref="StatusAsync"/> runs for <paramref name="endpoints"/>.</summary>
    public RemoteCommand StatusCommand(IReadOnlyList<string> endpoints) => Command(endpoints, json: true, "5s", Bound, "endpoint", "status");

    /// <summary>The members, as the local member knows them.</summary>
    public async Task<IReadOnlyList<EtcdMember>> MembersAsync(CancellationToken cancellationToken) =>
        EtcdOutput.MemberList(await CheckedAsync("member list", MembersCommand(), cancellationToken).ConfigureAwait(false));

    /// <summary>The health of each endpoint (a quorum read through each); unhealthy ones are in the list with etcdctl's reason.</summary>
    public async Task<IReadOnlyList<EtcdEndpointHealth>> HealthAsync(IReadOnlyList<string> endpoints, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        if (endpoints.Count == 0)
        {
            return [];
        }

        // Exits 1 when any endpoint is unhealthy, with every endpoint in the JSON.
        var result = await _host.RunAsync(HealthCommand(endpoints), cancellationToken).ConfigureAwait(false);
        return result.Stdout.TrimStart().StartsWith('[') ? EtcdOutput.EndpointHealth(result.Stdout) : throw Failure("endpoint health", result);
    }

    /// <summary>The status of each endpoint that answered (the others are left out).</summary>
    public async Task<IReadOnlyList<EtcdEndpointStatus>> StatusAsync(IReadOnlyList<string> endpoints, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        if (endpoints.Count == 0)
        {
            return [];
        }

        // Exits 1 when any endpoint failed; those are named only on stderr.
        var result = await _host.RunAsync(StatusCommand(endpoints), cancellationToken).ConfigureAwait(false);
        return result.Stdout.TrimStart().StartsWith('[') ? EtcdOutput.EndpointStatus(result.Stdout)
            : result.Stdout.Trim().Length == 0 && !result.Succeeded ? []
            : throw Failure("endpoint status", result);
    }

    /// <summary><c>member add NAME --peer-urls=URL --learner</c>: the new member, which has no name until it starts.</summary>
    public async Task<EtcdMember> AddLearnerAsync(string name, string peerUrl, CancellationToken cancellationToken)
    {
        var output = await CheckedAsync($"member add {name}", Command([LocalEndpoint], json: true, CommandTimeout, Bound, "member", "add", name, "--peer-urls=" + peerUrl, "--learner"), cancellationToken)
            .ConfigureAwait(false);
        return EtcdOutput.AddedMember(output);
    }

    /// <summary>
    /// <c>member promote ID</c>: true once promoted; false while etcd refuses because the learner has not caught up
    /// with the leader yet (etcd 3.4 allows the promotion only then). (etcdctl 3.4 crashes printing this one as JSON.)
    /// </summary>
    public async Task<bool> PromoteAsync(ulong id, CancellationToken cancellationToken)
    {
        var command = Command([LocalEndpoint], json: false, CommandTimeout, Bound, "member", "promote", Hex(id));
        var result = await _host.RunAsync(command, cancellationToken).ConfigureAwait(false);
        if (result.Succeeded)
        {
            return true;
        }

        return result.Stderr.Contains("in sync with leader", StringComparison.Ordinal) ? false : throw Failure($"member promote {Hex(id)}", result);
    }

    /// <summary><c>member remove ID</c>.</summary>
    public Task RemoveAsync(ulong id, CancellationToken cancellationToken) =>
        CheckedAsync($"member remove {Hex(id)}", Command([LocalEndpoint], json: false, CommandTimeout, Bound, "member", "remove", Hex(id)), cancellationToken);

    /// <summary><c>move-leader ID</c>, sent to <paramref name="endpoints"/> (etcdctl needs the leader among them).</summary>
    public Task MoveLeaderAsync(ulong id, IReadOnlyList<string> endpoints, CancellationToken cancellationToken) =>
        CheckedAsync($"move-leader {Hex(id)}", Command(endpoints, json: false, CommandTimeout, Bound, "move-leader", Hex(id)), cancellationToken);

    /// <summary><c>snapshot save PATH</c> from the local member (etcdctl writes PATH.part, then renames it).</summary>
    public Task SaveSnapshotAsync(string path, CancellationToken cancellationToken) =>
        CheckedAsync("snapshot save", Command([LocalEndpoint], json: false, commandTimeout: null, SnapshotBound, "snapshot", "save", path), cancellationToken);

    /// <summary><c>snapshot status PATH</c>: reads the file on the host (no member involved).</summary>
    public async Task<EtcdSnapshotStatus> SnapshotStatusAsync(string path, CancellationToken cancellationToken) =>
        EtcdOutput.SnapshotStatus(await CheckedAsync("snapshot status", Local(["snapshot", "status", path, "-w", "json"], SnapshotBound), cancellationToken).ConfigureAwait(false));

    /// <summary>
    /// <c>snapshot restore</c> into <paramref name="dataDir"/> (which must not exist): a member of a new cluster of
    /// <paramref name="initialCluster"/> with <paramref name="token"/>. etcdctl checks the hash the snapshot ends with.
    /// </summary>
    public Task RestoreSnapshotAsync(string path, string name, string initialCluster, string token, string peerUrl, string dataDir, CancellationToken cancellationToken) =>
        CheckedAsync(
            "snapshot restore",
            Local(
                [
                    "snapshot", "restore", path, "--name=" + name, "--initial-cluster=" + initialCluster, "--initial-cluster-token=" + token,
                    "--initial-advertise-peer-urls=" + peerUrl, "--data-dir=" + dataDir,
                ],
                SnapshotBound),
            cancellationToken);

    public static string Hex(ulong id) => id.ToString("x", CultureInfo.InvariantCulture);

    private async Task<string> CheckedAsync(string what, RemoteCommand command, CancellationToken cancellationToken)
    {
        var result = await _host.RunAsync(command, cancellationToken).ConfigureAwait(false);
        return result.Succeeded ? result.Stdout : throw Failure(what, result);
    }

    private EtcdException Failure(string what, CommandResult result) =>
        new(_redactor.Redact($"{_host.Name}: etcdctl {what} failed (exit {result.ExitCode}): {Reason(result)}"));

    /// <summary>etcdctl's own "Error: …" line (its other stderr lines are retry logs), else the last line it printed.</summary>
    internal static string Reason(CommandResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        var lines = (result.Stderr + "\n" + result.Stdout).Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var error = lines.LastOrDefault(l => l.StartsWith("Error:", StringComparison.Ordinal));
        return error is not null ? error["Error:".Length..].Trim() : lines.LastOrDefault() ?? "no output";
    }

    private RemoteCommand Command(IReadOnlyList<string> endpoints, bool json, string? commandTimeout, TimeSpan bound, params string[] arguments)
    {
        var argv = new List<string>
        {
            _settings.Program, "--endpoints=" + string.Join(',', endpoints), "--cacert=" + _settings.CaCert,
            "--cert=" + _settings.ClientCert, "--key=" + _settings.ClientKey, "--dial-timeout=3s",
        };
        if (commandTimeout is not null)
        {
            argv.Add("--command-timeout=" + commandTimeout);
        }

        if (json)
        {
            argv.AddRange(["-w", "json"]);
        }

        argv.AddRange(arguments);
        return new RemoteCommand(argv, sudo: _settings.AsRoot, timeout: bound);
    }

    /// <summary>A command that works on files of the host only (snapshot status, restore).</summary>
    private RemoteCommand Local(IReadOnlyList<string> arguments, TimeSpan bound) =>
        new([_settings.Program, .. arguments], sudo: _settings.AsRoot, timeout: bound);
}
