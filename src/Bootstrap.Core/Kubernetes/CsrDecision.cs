namespace Bootstrap.Core.Kubernetes;

/// <summary>What to do with a certificate signing request: approve it, or leave it pending for the reason given.</summary>
internal sealed record CsrDecision(bool Approve, string Reason)
{
    public static CsrDecision Approved(string reason) => new(true, reason);

    public static CsrDecision Pending(string reason) => new(false, reason);
}
