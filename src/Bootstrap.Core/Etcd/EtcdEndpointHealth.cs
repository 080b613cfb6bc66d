namespace Bootstrap.Core.Etcd;

/// <summary>One endpoint's answer to <c>etcdctl endpoint health</c> (a quorum read through it).</summary>
/// <param name="Error">Why it is not healthy (etcdctl's words), or null.</param>
internal sealed record EtcdEndpointHealth(string Endpoint, bool Healthy, string Took, string? Error);
