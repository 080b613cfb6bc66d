using Bootstrap.Core.Workflow;
using k8s;
using k8s.Models;

namespace Bootstrap.Core.Kubernetes;

/// <summary>The reading half of the cluster's API: what phases may use while they plan.</summary>
internal interface IClusterReader
{
    /// <summary>Whether the API answers /version within <paramref name="timeout"/>.</summary>
    Task<bool> AnswersAsync(TimeSpan timeout, CancellationToken cancellationToken);

    /// <summary>What the object needs on the server: null when the server has it as wanted.</summary>
    Task<ChangeKind?> DiffAsync(IKubernetesObject<V1ObjectMeta> wanted, CancellationToken cancellationToken);

    Task<V1ConfigMap?> ConfigMapAsync(string name, string ns, CancellationToken cancellationToken);

    Task<V1Node?> NodeAsync(string name, CancellationToken cancellationToken);

    /// <summary>The pods bound to a node, every namespace.</summary>
    Task<IReadOnlyList<V1Pod>> PodsOnNodeAsync(string node, CancellationToken cancellationToken);

    Task<IReadOnlyList<V1Node>> NodesAsync(CancellationToken cancellationToken);

    /// <summary>A coordination Lease (a component's leader election), or null when there is none.</summary>
    Task<V1Lease?> LeaseAsync(string name, string ns, CancellationToken cancellationToken);

    Task<V1Deployment?> DeploymentAsync(string name, string ns, CancellationToken cancellationToken);

    /// <summary>The token of a ServiceAccount's token Secret, or null while there is none.</summary>
    Task<string?> ServiceAccountTokenAsync(string name, string ns, CancellationToken cancellationToken);

    Task<IReadOnlyList<V1CertificateSigningRequest>> CertificateSigningRequestsAsync(CancellationToken cancellationToken);
}
