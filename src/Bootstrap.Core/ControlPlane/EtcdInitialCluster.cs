using Bootstrap.Core.Config;

namespace Bootstrap.Core.ControlPlane;

/// <summary>
/// The three flags etcd reads only while its data directory is empty, to bootstrap a member: the members it starts
/// with (<c>--initial-cluster</c>), whether they form a new cluster or it joins a running one
/// (<c>--initial-cluster-state</c>), and the token that keeps two new clusters from merging. Once the member has data
/// etcd ignores them. So they are written once, when the member is bootstrapped, and then kept as they are in its unit
/// (<see cref="FromUnit"/>): when members are added or removed later, the units of the members already running do not
/// change and their etcd does not restart; and a restore from a snapshot (which makes new data with a new token)
/// leaves the units alone as well.
/// </summary>
/// <param name="Members">The <c>name=peer-url,…</c> list.</param>
internal sealed record EtcdInitialCluster(string Members, EtcdClusterState State, string Token)
{
    private const string MembersFlag = "--initial-cluster=";
    private const string StateFlag = "--initial-cluster-state=";
    private const string TokenFlag = "--initial-cluster-token=";

    /// <summary>The token of a cluster Bootstrap bootstraps: the cluster's name.</summary>
    public static string TokenOf(ClusterConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        return $"etcd-{config.Name}";
    }

    /// <summary>A member of a new cluster: every etcd host of the file, started together.</summary>
    public static EtcdInitialCluster New(ClusterConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        return new(List(config.EtcdMembers.Select(m => (m.Name, Endpoints.Url("https", m.Address, KubeadmLayout.EtcdPeerPort)))), EtcdClusterState.New, TokenOf(config));
    }

    /// <summary>A member joining a running cluster whose members (itself included) are <paramref name="members"/>.</summary>
    public static EtcdInitialCluster Joining(ClusterConfig config, IEnumerable<(string Name, string PeerUrl)> members)
    {
        ArgumentNullException.ThrowIfNull(config);
        return new(List(members), EtcdClusterState.Existing, TokenOf(config));
    }

    /// <summary>The three flags as an etcd unit Bootstrap rendered has them; null when any is missing or not as Bootstrap writes it.</summary>
    public static EtcdInitialCluster? FromUnit(string unit)
    {
        ArgumentNullException.ThrowIfNull(unit);
        string? members = null, state = null, token = null;
        foreach (var raw in unit.Split('\n'))
        {
            var line = raw.Trim();
            line = line.EndsWith('\\') ? line[..^1].TrimEnd() : line;
            members = Take(line, MembersFlag) ?? members;
            state = Take(line, StateFlag) ?? state;
            token = Take(line, TokenFlag) ?? token;
        }

        var parsed = state switch { "new" => EtcdClusterState.New, "existing" => EtcdClusterState.Existing, _ => (EtcdClusterState?)null };
        return members is { Length: > 0 } && token is { Length: > 0 } && parsed is { } s ? new EtcdInitialCluster(members, s, token) : null;
    }

    private static string? Take(string line, string flag)
    {
        if (!line.StartsWith(flag, StringComparison.Ordinal))
        {
            return null;
        }

        // A value Bootstrap wrote needs no systemd quoting (names, URLs, a token); anything else is not ours to keep.
        var value = line[flag.Length..];
        return value.Any(c => c is '"' or '\'' or '\\' or '%' or '$' || char.IsWhiteSpace(c)) ? null : value;
    }

    private static string List(IEnumerable<(string Name, string PeerUrl)> members) => string.Join(',', members.Select(m => $"{m.Name}={m.PeerUrl}"));
}
