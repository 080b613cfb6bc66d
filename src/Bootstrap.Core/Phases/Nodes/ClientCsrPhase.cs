using Bootstrap.Core.Config;
using Bootstrap.Core.Kubernetes;
using Bootstrap.Core.Workflow;
using k8s.Models;

namespace Bootstrap.Core.Phases.Nodes;

/// <summary>
/// <c>kubelet-client-csr</c>: decides the pending requests made with Bootstrap's node tokens that kubelet-start's
/// joins did not (<see cref="NodeClientCsrPolicy"/>): one made with a token a join of this run minted is approved
/// only when it is exactly that node's client request; every other one — a forged request, or one made with the
/// token of a join that is over or failed — is denied with the reason, so it can never be approved later by
/// mistake. Requests made with kubeadm's tokens (<c>bootstrap token create</c>) are the controller manager's to
/// approve and are not touched. Acts through the API from the workstation; needs no SSH.
/// </summary>
internal sealed class ClientCsrPhase : ILeafPhase
{
    public string Name => "kubelet-client-csr";

    public string Description => "Deny any client-certificate request made with Bootstrap's node tokens that is not the kubelet's own request for the node its token was minted for";

    public IReadOnlyList<PhaseTarget> Targets(ClusterConfig config) => [PhaseTarget.Cluster];

    public async Task<TargetPlan> PlanAsync(PhaseContext context, PhaseTarget target, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (await context.Api.ReaderAsync(context, cancellationToken).ConfigureAwait(false) is not { } api)
        {
            return TargetPlan.Nothing("would decide the requests made with Bootstrap's node tokens once the API answers");
        }

        var requests = await api.CertificateSigningRequestsAsync(cancellationToken).ConfigureAwait(false);
        var changes = new List<Change>();
        foreach (var (csr, decision) in Decisions(requests, context.Joined.Snapshot))
        {
            changes.Add(new Change
            {
                Host = PhaseTarget.ClusterName,
                Kind = decision.Approve ? ChangeKind.CsrApprove : ChangeKind.CsrDeny,
                Target = csr.Metadata.Name,
                Reason = decision.Reason,
                Apply = async (apply, ct) =>
                {
                    var client = await apply.Run.Api.ClientAsync(apply, ct).ConfigureAwait(false);
                    var now = apply.Time.GetUtcNow().UtcDateTime;
                    await (decision.Approve ? client.ApproveAsync(csr, decision.Reason, now, ct) : client.DenyAsync(csr, decision.Reason, now, ct)).ConfigureAwait(false);
                    return [];
                },
            });
        }

        return changes.Count > 0 ? TargetPlan.Of(changes) : TargetPlan.Nothing("no pending request made with Bootstrap's node tokens");
    }

    /// <summary>
    /// The decision on each pending request made with one of Bootstrap's node tokens, given the nodes that joined in this
    /// run with the id of the token each was minted (<see cref="PhaseContext.Joined"/>). Pure.
    /// </summary>
    public static IReadOnlyList<(V1CertificateSigningRequest Csr, CsrDecision Decision)> Decisions(
        IReadOnlyList<V1CertificateSigningRequest> requests, IReadOnlyDictionary<string, string> joined)
    {
        ArgumentNullException.ThrowIfNull(requests);
        ArgumentNullException.ThrowIfNull(joined);
        var minted = joined.ToDictionary(j => j.Value, j => j.Key, StringComparer.Ordinal);
        return [.. requests
            .Where(r => ServingCsrPhase.IsPending(r) && NodeClientCsrPolicy.MadeWithNodeToken(r))
            .Select(r => (r, NodeClientCsrPolicy.Decide(r, NodeClientCsrPolicy.TokenId(r) is { } token ? minted.GetValueOrDefault(token) : null)))];
    }
}
