namespace Bootstrap.Core.Kubernetes;

/// <summary>What to do with a certificate signing request (approve, leave pending, deny) and why.</summary>
internal sealed record CsrDecision(CsrVerdict Verdict, string Reason)
{
    public bool Approve => Verdict == CsrVerdict.Approve;

    public static CsrDecision Approved(string reason) => new(CsrVerdict.Approve, reason);

    public static CsrDecision Pending(string reason) => new(CsrVerdict.Pending, reason);

    public static CsrDecision Denied(string reason) => new(CsrVerdict.Deny, reason);
}
