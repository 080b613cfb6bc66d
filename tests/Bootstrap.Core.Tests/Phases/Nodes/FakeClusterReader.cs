using Bootstrap.Core.Kubernetes;
using Bootstrap.Core.Workflow;
using k8s;
using k8s.Models;

namespace Bootstrap.Core.Tests.Phases.Nodes;

/// <summary>The API as a plan reads it, from a fixed list of Nodes.</summary>
internal sealed class FakeClusterReader(params V1Node[] nodes) : IClusterReader
{
    public Task<bool> AnswersAsync(TimeSpan timeout, CancellationToken cancellationToken) => Task.FromResult(true);

    public Task<ChangeKind?> DiffAsync(IKubernetesObject<V1ObjectMeta> wanted, CancellationToken cancellationToken) => Task.FromResult<ChangeKind?>(ChangeKind.ApiCreate);

    public Task<V1ConfigMap?> ConfigMapAsync(string name, string ns, CancellationToken cancellationToken) => Task.FromResult<V1ConfigMap?>(null);

    public Task<V1Node?> NodeAsync(string name, CancellationToken cancellationToken) => Task.FromResult(nodes.FirstOrDefault(n => n.Metadata.Name == name));

    /// <summary>The pods the API lists (none unless a test adds some).</summary>
    public List<V1Pod> Pods { get; } = [];

    public Task<IReadOnlyList<V1Pod>> PodsOnNodeAsync(string node, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<V1Pod>>([.. Pods.Where(p => p.Spec?.NodeName == node)]);

    public Task<IReadOnlyList<V1Node>> NodesAsync(CancellationToken cancellationToken) => Task.FromResult<IReadOnlyList<V1Node>>(nodes);

    /// <summary>The controller managers' leader election (none unless a test sets it).</summary>
    public V1Lease? Lease { get; set; }

    public Task<V1Lease?> LeaseAsync(string name, string ns, CancellationToken cancellationToken) =>
        Task.FromResult(name == "kube-controller-manager" && ns == "kube-system" ? Lease : null);

    public Task<V1Deployment?> DeploymentAsync(string name, string ns, CancellationToken cancellationToken) => Task.FromResult<V1Deployment?>(null);

    public Task<string?> ServiceAccountTokenAsync(string name, string ns, CancellationToken cancellationToken) => Task.FromResult<string?>(null);

    /// <summary>What each listing of the certificate signing requests returns (none by default).</summary>
    public Func<IReadOnlyList<V1CertificateSigningRequest>> Requests { get; set; } = () => [];

    public Task<IReadOnlyList<V1CertificateSigningRequest>> CertificateSigningRequestsAsync(CancellationToken cancellationToken) => Task.FromResult(Requests());

    /// <summary>A registered Node with its allocated range (none when null) and its InternalIP.</summary>
    public static V1Node Node(string name, string? podCidr, string address) => new()
    {
        Metadata = new V1ObjectMeta { Name = name },
        Spec = new V1NodeSpec { PodCIDR = podCidr },
        Status = new V1NodeStatus { Addresses = [new V1NodeAddress { Type = "InternalIP", Address = address }] },
    };
}
