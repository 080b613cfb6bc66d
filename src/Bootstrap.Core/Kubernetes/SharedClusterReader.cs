using Bootstrap.Core.Workflow;
using k8s;
using k8s.Models;

namespace Bootstrap.Core.Kubernetes;

/// <summary>
/// The API as a run's plans read it: the reads that several phases (or one phase for several targets) make of the same objects —
/// the Nodes, a Node, a Lease, a ServiceAccount's token, a ConfigMap, a Deployment, a node's pods — go to the API once while
/// the run has changed nothing (<see cref="SharedApiReads"/>). The comparison of an object with what is wanted, whether the API
/// answers, and the certificate signing requests (whose approval changes the objects read) always go to the API.
/// </summary>
internal sealed class SharedClusterReader(IClusterReader api, SharedApiReads shared) : IClusterReader
{
    public Task<bool> AnswersAsync(TimeSpan timeout, CancellationToken cancellationToken) => api.AnswersAsync(timeout, cancellationToken);

    public Task<ChangeKind?> DiffAsync(IKubernetesObject<V1ObjectMeta> wanted, CancellationToken cancellationToken) => api.DiffAsync(wanted, cancellationToken);

    public Task<IReadOnlyList<V1CertificateSigningRequest>> CertificateSigningRequestsAsync(CancellationToken cancellationToken) =>
        api.CertificateSigningRequestsAsync(cancellationToken);

    public Task<V1ConfigMap?> ConfigMapAsync(string name, string ns, CancellationToken cancellationToken) =>
        shared.ReadAsync($"configmap {ns}/{name}", () => api.ConfigMapAsync(name, ns, cancellationToken), cancellationToken);

    public Task<V1Node?> NodeAsync(string name, CancellationToken cancellationToken) =>
        shared.ReadAsync($"node {name}", () => api.NodeAsync(name, cancellationToken), cancellationToken);

    public Task<IReadOnlyList<V1Pod>> PodsOnNodeAsync(string node, CancellationToken cancellationToken) =>
        shared.ReadAsync($"pods on {node}", () => api.PodsOnNodeAsync(node, cancellationToken), cancellationToken);

    public Task<IReadOnlyList<V1Node>> NodesAsync(CancellationToken cancellationToken) =>
        shared.ReadAsync("nodes", () => api.NodesAsync(cancellationToken), cancellationToken);

    public Task<V1Lease?> LeaseAsync(string name, string ns, CancellationToken cancellationToken) =>
        shared.ReadAsync($"lease {ns}/{name}", () => api.LeaseAsync(name, ns, cancellationToken), cancellationToken);

    public Task<V1Deployment?> DeploymentAsync(string name, string ns, CancellationToken cancellationToken) =>
        shared.ReadAsync($"deployment {ns}/{name}", () => api.DeploymentAsync(name, ns, cancellationToken), cancellationToken);

    public Task<string?> ServiceAccountTokenAsync(string name, string ns, CancellationToken cancellationToken) =>
        shared.ReadAsync($"service account token {ns}/{name}", () => api.ServiceAccountTokenAsync(name, ns, cancellationToken), cancellationToken);
}
