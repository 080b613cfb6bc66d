namespace Bootstrap.Core.ControlPlane;

/// <summary>
/// How an API server leaves and rejoins the load balancer's pool without a failed request, as numbers
/// shared by haproxy.cfg, kube-apiserver's flags and unit, and the rolling restart.
/// <para>
/// On SIGTERM kube-apiserver fails /readyz at once but keeps serving for
/// <see cref="ShutdownDelay"/> (<c>--shutdown-delay-duration</c>); only then does it close its
/// listener. haproxy checks /readyz and takes the server out of the pool within <see cref="LeaveBound"/>,
/// so no new connection reaches a closed listener. Requests still running after the delay get until
/// <see cref="StopTimeout"/> before systemd kills the process. Those are requests sent on connections opened
/// before haproxy dropped the server (TCP passthrough keeps them on it until the listener closes), so they
/// started at most moments earlier and end within the 5 s left; what is left then is watches, which v1.20
/// never ends by itself and which waiting longer (kubeadm's static pods get 30 s) would not end either: each
/// second of waiting for them is a second more of every API server's restart in a roll. Their clients
/// reconnect through the load balancer. A restarted server is taken back within <see cref="RejoinBound"/> of answering /readyz.
/// </para>
/// </summary>
internal static class ApiServerHandover
{
    /// <summary>haproxy's check interval while a server is steadily up or down (<c>inter</c>); also its whole-check timeout, as no <c>timeout check</c> is set.</summary>
    public static TimeSpan CheckInterval { get; } = TimeSpan.FromSeconds(2);

    /// <summary>The interval while a server is changing state (<c>fastinter</c>).</summary>
    public static TimeSpan FastCheckInterval { get; } = TimeSpan.FromMilliseconds(500);

    /// <summary>Failed checks in a row that take a server out (<c>fall</c>).</summary>
    public const int Fall = 3;

    /// <summary>Passed checks in a row that take it back (<c>rise</c>).</summary>
    public const int Rise = 2;

    /// <summary>How long a stopping API server keeps serving while /readyz fails.</summary>
    public static TimeSpan ShutdownDelay { get; } = TimeSpan.FromSeconds(10);

    /// <summary>From SIGTERM until systemd kills what is left (<c>TimeoutStopSec=</c>).</summary>
    public static TimeSpan StopTimeout { get; } = TimeSpan.FromSeconds(15);

    /// <summary>
    /// Worst case from /readyz failing until haproxy stops sending new connections: the check after the
    /// last good one comes up to an interval later, the others a fast interval apart, and each may take
    /// its whole timeout.
    /// </summary>
    public static TimeSpan LeaveBound => CheckInterval + ((Fall - 1) * FastCheckInterval) + (Fall * CheckInterval);

    /// <summary>Worst case from /readyz passing until haproxy sends connections again, by the same reckoning.</summary>
    public static TimeSpan RejoinBound => CheckInterval + ((Rise - 1) * FastCheckInterval) + (Rise * CheckInterval);
}
