using Bootstrap.Core.Config;
using Bootstrap.Core.Kubernetes;
using Bootstrap.Core.Remote;
using Bootstrap.Core.Workflow;
using k8s.Models;

namespace Bootstrap.Core.Phases.Nodes;

/// <summary>
/// Approves the kubelets' serving-certificate requests (signer kubernetes.io/kubelet-serving) that
/// <see cref="KubeletServingCsrPolicy"/> accepts; requests it refuses stay pending and are reported.
/// Nodes that joined in this run are given a little time to post theirs. A cluster-wide API phase,
/// reported under the first control-plane host (see <see cref="ApiObjectsPhase"/>).
/// </summary>
internal sealed class ServingCsrPhase : IClusterWidePhase
{
    private static readonly TimeSpan WaitForRequests = TimeSpan.FromMinutes(1);
    private static readonly TimeSpan PollInterval = TimeSpan.FromSeconds(2);

    private readonly NodeSession _session;

    public ServingCsrPhase(NodeSession session) => _session = session;

    public string Name => "kubelet-serving-csr";

    public string Description => "Approve the kubelets' serving-certificate requests for their own name and address; report any other pending request";

    public IReadOnlyList<IPhase> Children => [];

    public IReadOnlyList<HostSpec> Targets(ClusterConfig config) => ApiObjectsPhase.ApiTarget(config);

    public Task<bool> NeedsRunAsync(PhaseContext context, IRemoteHost host, CancellationToken cancellationToken) => Task.FromResult(true);

    public async Task<PhaseResult> RunAsync(PhaseContext context, IRemoteHost host, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (await _session.ApiOrNullInPlanAsync(context, cancellationToken).ConfigureAwait(false) is not { } api)
        {
            return PhaseResult.ChangedWith("would approve the kubelets' serving-certificate requests once the API answers");
        }

        var requests = await RequestsAsync(api, _session.Joined, context.Time, cancellationToken).ConfigureAwait(false);
        var details = new List<string>();
        var changed = false;
        foreach (var csr in requests.Where(IsPending))
        {
            if (csr.Spec?.SignerName != KubeletServingCsrPolicy.SignerName)
            {
                details.Add($"left {csr.Metadata.Name} pending: signer {csr.Spec?.SignerName} is not Bootstrap's to approve (requested by {csr.Spec?.Username})");
                continue;
            }

            var decision = KubeletServingCsrPolicy.Decide(csr, context.Config);
            if (!decision.Approve)
            {
                details.Add($"left {csr.Metadata.Name} pending: {decision.Reason}");
                continue;
            }

            if (!context.DryRun)
            {
                await api.ApproveAsync(csr, decision.Reason, context.Time.GetUtcNow().UtcDateTime, cancellationToken).ConfigureAwait(false);
            }

            changed = true;
            details.Add($"{(context.DryRun ? "would approve" : "approved")} {csr.Metadata.Name} ({decision.Reason})");
        }

        return new PhaseResult { Changed = changed, Details = details.Count > 0 ? details : ["no pending certificate signing requests"] };
    }

    public static bool IsPending(V1CertificateSigningRequest csr)
    {
        ArgumentNullException.ThrowIfNull(csr);
        return csr.Status?.Conditions is not { Count: > 0 };
    }

    /// <summary>
    /// Every node that joined (name → id of its bootstrap token) has posted a serving request since it
    /// joined: one no older than the client request its token made (requests of an earlier join of the
    /// same name, still listed for an hour, do not count). Times are the API server's.
    /// </summary>
    public static bool EveryNodeAsked(IReadOnlyList<V1CertificateSigningRequest> requests, IReadOnlyDictionary<string, string> joined)
    {
        ArgumentNullException.ThrowIfNull(requests);
        ArgumentNullException.ThrowIfNull(joined);
        foreach (var (node, tokenId) in joined)
        {
            var joinedAt = requests
                .Where(r => r.Spec?.Username == "system:bootstrap:" + tokenId)
                .Select(r => r.Metadata?.CreationTimestamp)
                .Min();
            var asked = requests.Any(r =>
                r.Spec?.SignerName == KubeletServingCsrPolicy.SignerName
                && r.Spec.Username == "system:node:" + node
                && (joinedAt is null || r.Metadata?.CreationTimestamp >= joinedAt));
            if (!asked)
            {
                return false;
            }
        }

        return true;
    }

    private static async Task<IReadOnlyList<V1CertificateSigningRequest>> RequestsAsync(ClusterApi api, IReadOnlyDictionary<string, string> joined, TimeProvider time, CancellationToken cancellationToken)
    {
        var deadline = time.GetUtcNow() + WaitForRequests;
        while (true)
        {
            var requests = await api.CertificateSigningRequestsAsync(cancellationToken).ConfigureAwait(false);
            if (EveryNodeAsked(requests, joined) || time.GetUtcNow() >= deadline)
            {
                return requests;
            }

            await Task.Delay(PollInterval, cancellationToken).ConfigureAwait(false);
        }
    }
}
