using Bootstrap.Core.Remote;

namespace Bootstrap.Core.Install;

/// <summary>
/// A systemd service a phase keeps running: its unit, the files it reads (a change to any of them
/// after the service started means it must restart), and how to tell it is healthy.
/// </summary>
internal sealed record ServiceSpec
{
    /// <summary>e.g. <c>kube-apiserver.service</c>.</summary>
    public required string Unit { get; init; }

    /// <summary>What to call it in messages, e.g. <c>kube-apiserver</c>.</summary>
    public required string Component { get; init; }

    /// <summary>The unit file and every file the service reads at start.</summary>
    public required IReadOnlyList<string> Inputs { get; init; }

    /// <summary>Exits 0 once the service serves; polled after a start.</summary>
    public required RemoteCommand Health { get; init; }

    public required TimeSpan HealthTimeout { get; init; }

    /// <summary>
    /// After a restart, how long the roll waits once the service is healthy before the next host's copy
    /// may go: the time a load balancer in front of it needs to take it back. Zero for most services.
    /// </summary>
    public TimeSpan HoldAfterRestart { get; init; }

    /// <summary>
    /// The load balancers whose haproxy takes this host's server back after a restart: the hold ends as soon as every one
    /// of them reports it UP, and lasts <see cref="HoldAfterRestart"/> at most (and when one cannot tell).
    /// </summary>
    public LoadBalancerRejoin? Rejoin { get; init; }

    /// <summary>
    /// Services on the same host that use only this one (kube-apiserver and its local etcd member): when this one restarts,
    /// each that runs is stopped first (its own handover: the load balancer drops it before it closes) and started again once
    /// this one is healthy, so no request reaches a process that is going away.
    /// </summary>
    public IReadOnlyList<ServiceSpec> Dependents { get; init; } = [];

    /// <summary>How often the health command (and, after a restart, whether the old process is gone) is polled.</summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromSeconds(1);
}

/// <summary>The <paramref name="LoadBalancers"/> (hosts of the cluster file) whose haproxy lists this host as <paramref name="Server"/>.</summary>
internal sealed record LoadBalancerRejoin(IReadOnlyList<string> LoadBalancers, string Server);
