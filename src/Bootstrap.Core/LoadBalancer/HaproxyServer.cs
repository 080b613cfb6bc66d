namespace Bootstrap.Core.LoadBalancer;

/// <summary>One API server in haproxy's backend: its host name and <c>address:port</c>.</summary>
internal sealed record HaproxyServer(string Name, string Address);
