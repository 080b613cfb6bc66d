namespace Bootstrap.Core.LoadBalancer;

internal sealed record KeepalivedModel(
    string HostName,
    string Address,
    string State,
    int Priority,
    string Interface,
    int VirtualRouterId,
    string VirtualIp,
    int PrefixLength,
    IReadOnlyList<string> Peers,
    string AuthPassword,
    string MonitorUrl,
    int BackendsWeight);
