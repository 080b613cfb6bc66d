namespace Bootstrap.Core.LoadBalancer;

internal sealed record HaproxyModel(string ClusterName, int Port, IReadOnlyList<HaproxyServer> Servers);
