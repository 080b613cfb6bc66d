using Bootstrap.Core.Config;
using Bootstrap.Core.Pki;

namespace Bootstrap.Core.Tests.Pki;

internal static class PkiRequests
{
    public static readonly DateTimeOffset Epoch = new(2026, 1, 15, 12, 0, 0, TimeSpan.Zero);

    /// <summary>Three stacked control-plane hosts (each an etcd member) behind a VIP.</summary>
    public static PkiRequest ThreeControlPlanes(KeyAlgorithm algorithm = KeyAlgorithm.Rsa2048) => new()
    {
        ControlPlaneHosts = [new("cp1", "10.0.0.11"), new("cp2", "10.0.0.12"), new("cp3", "10.0.0.13")],
        EtcdMembers = [new("cp1", "10.0.0.11"), new("cp2", "10.0.0.12"), new("cp3", "10.0.0.13")],
        EndpointHost = "10.0.0.10",
        EndpointPort = 6443,
        ServiceSubnet = "10.96.0.0/12",
        DnsDomain = "cluster.local",
        ExtraSans = ["api.example.test", "192.0.2.7"],
        KeyAlgorithm = algorithm,
    };

    /// <summary>The smallest valid cluster, for lifecycle tests where key generation time matters.</summary>
    public static PkiRequest Single() => new()
    {
        ControlPlaneHosts = [new("cp1", "10.0.0.11")],
        EtcdMembers = [new("cp1", "10.0.0.11")],
        EndpointHost = "api.example.test",
    };
}
