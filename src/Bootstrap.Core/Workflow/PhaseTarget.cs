using Bootstrap.Core.Config;

namespace Bootstrap.Core.Workflow;

/// <summary>
/// What a leaf acts on: a host of the cluster file, the cluster as a whole (the Kubernetes API, reached
/// from the workstation), or the workstation's cluster state. Where the work executes is the phase's
/// business: a change to <see cref="Cluster"/> may run through the API, one to a host may run on another
/// host (say, <c>etcdctl member remove</c> on a surviving member).
/// </summary>
public sealed record PhaseTarget
{
    /// <summary>The name reports use for work on the cluster as a whole. Not a valid host name in a cluster file.</summary>
    public const string ClusterName = "cluster";

    /// <summary>The name reports use for work on the workstation's cluster state. Not a valid host name in a cluster file.</summary>
    public const string WorkstationName = "workstation";

    private PhaseTarget(string name, HostSpec? host)
    {
        Name = name;
        Host = host;
    }

    public static PhaseTarget Cluster { get; } = new(ClusterName, null);

    public static PhaseTarget Workstation { get; } = new(WorkstationName, null);

    /// <summary>The host's name, or <see cref="ClusterName"/> / <see cref="WorkstationName"/>.</summary>
    public string Name { get; }

    /// <summary>The host, when the target is one.</summary>
    public HostSpec? Host { get; }

    /// <summary>The host; throws for the cluster and workstation targets (a bug in the phase).</summary>
    public HostSpec RequiredHost => Host ?? throw new InvalidOperationException($"the target {Name} is not a host");

    public static PhaseTarget Of(HostSpec host)
    {
        ArgumentNullException.ThrowIfNull(host);
        return new PhaseTarget(host.Name, host);
    }

    public static IReadOnlyList<PhaseTarget> Of(IEnumerable<HostSpec> hosts) => [.. hosts.Select(Of)];

    public override string ToString() => Name;
}
