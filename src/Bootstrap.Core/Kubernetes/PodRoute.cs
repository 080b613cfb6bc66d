using System.Net;

namespace Bootstrap.Core.Kubernetes;

/// <summary>A route to another node's pods: its pod range, through its address on the hosts' segment.</summary>
internal sealed record PodRoute(string Node, IPNetwork Destination, IPAddress Via);
