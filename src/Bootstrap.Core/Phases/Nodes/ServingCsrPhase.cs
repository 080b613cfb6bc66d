using Bootstrap.Core.Config;
using Bootstrap.Core.Kubernetes;
using Bootstrap.Core.Workflow;
using k8s.Models;

namespace Bootstrap.Core.Phases.Nodes;

/// <summary>
/// Approves the kubelets' serving-certificate requests (signer kubernetes.io/kubelet-serving) that
/// <see cref="KubeletServingCsrPolicy"/> accepts; requests it refuses stay pending and are reported.
/// Nodes that joined in this run are given a little time to post theirs, but for those whose kubelet kept a serving certificate. It acts on the cluster through
/// the API from the workstation (target <see cref="PhaseTarget.Cluster"/>) and needs no SSH.
/// </summary>
internal sealed class ServingCsrPhase : ILeafPhase
{
    private static readonly TimeSpan WaitForRequests = TimeSpan.FromMinutes(1);
    private static readonly TimeSpan PollInterval = ApiPolling.Interval;

    public string Name => "kubelet-serving-csr";

    public string Description => "Approve the kubelets' serving-certificate requests for their own name and address; report any other pending request";

    public IReadOnlyList<PhaseTarget> Targets(ClusterConfig config) => [PhaseTarget.Cluster];

    public async Task<TargetPlan> PlanAsync(PhaseContext context, PhaseTarget target, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (await context.Api.ReaderAsync(context, cancellationToken).ConfigureAwait(false) is not { } api)
        {
            return TargetPlan.Nothing("would approve the kubelets' serving-certificate requests once the API answers");
        }

        var requests = await RequestsAsync(api, context.Joined.AskingForServing, context.Waiting(target.Name), cancellationToken).ConfigureAwait(false);
        var notes = new List<string>();
        var changes = new List<Change>();
        // Requests made with Bootstrap's node tokens are kubelet-client-csr's to decide.
        foreach (var csr in requests.Where(r => IsPending(r) && !NodeClientCsrPolicy.MadeWithNodeToken(r)))
        {
            if (csr.Spec?.SignerName != KubeletServingCsrPolicy.SignerName)
            {
                notes.Add($"left {csr.Metadata.Name} pending: signer {csr.Spec?.SignerName} is not Bootstrap's to approve (requested by {csr.Spec?.Username})");
                continue;
            }

            var decision = KubeletServingCsrPolicy.Decide(csr, context.Config);
            if (!decision.Approve)
            {
                notes.Add($"left {csr.Metadata.Name} pending: {decision.Reason}");
                continue;
            }

            changes.Add(new Change
            {
                Host = PhaseTarget.ClusterName,
                Kind = ChangeKind.CsrApprove,
                Target = csr.Metadata.Name,
                Reason = decision.Reason,
                Apply = async (apply, ct) =>
                {
                    var client = await apply.Run.Api.ClientAsync(apply, ct).ConfigureAwait(false);
                    await client.ApproveAsync(csr, decision.Reason, apply.Time.GetUtcNow().UtcDateTime, ct).ConfigureAwait(false);
                    return [];
                },
            });
        }

        return new TargetPlan { Changes = changes, Notes = changes.Count + notes.Count > 0 ? notes : ["no pending certificate signing requests"] };
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

    private static async Task<IReadOnlyList<V1CertificateSigningRequest>> RequestsAsync(
        IClusterReader api, IReadOnlyDictionary<string, string> joined, Waiting waiting, CancellationToken cancellationToken)
    {
        using var wait = waiting.Begin();
        var deadline = waiting.Time.GetUtcNow() + WaitForRequests;
        while (true)
        {
            var requests = await api.CertificateSigningRequestsAsync(cancellationToken).ConfigureAwait(false);
            if (EveryNodeAsked(requests, joined) || waiting.Time.GetUtcNow() >= deadline)
            {
                return requests;
            }

            await wait.DelayAsync(PollInterval, cancellationToken).ConfigureAwait(false);
        }
    }
}
