namespace Bootstrap.Core.LoadBalancer;

/// <param name="Inter">haproxy's check interval, as haproxy writes durations (so are the other times).</param>
/// <param name="LeaveBound">At most how long the checks take to drop a server whose /readyz fails.</param>
/// <param name="ShutdownDelay">How long a stopping API server keeps serving while /readyz fails.</param>
/// <param name="MonitorPort">The loopback port of the frontend that tells keepalived whether any API server is UP.</param>
/// <param name="ServersPath">Where that frontend also answers with haproxy's statistics (each API server's state).</param>
internal sealed record HaproxyModel(
    string ClusterName,
    int Port,
    IReadOnlyList<HaproxyServer> Servers,
    string Inter,
    string FastInter,
    int Fall,
    int Rise,
    string LeaveBound,
    string ShutdownDelay,
    int MonitorPort,
    string MonitorPath,
    string ServersPath);
