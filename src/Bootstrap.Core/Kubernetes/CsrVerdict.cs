namespace Bootstrap.Core.Kubernetes;

/// <summary>What Bootstrap does with a certificate signing request.</summary>
internal enum CsrVerdict
{
    /// <summary>Approve it: the signer issues the certificate.</summary>
    Approve,

    /// <summary>Leave it pending (someone else may decide, or it may be a mistake worth reporting).</summary>
    Pending,

    /// <summary>Deny it: a request Bootstrap's own credentials must never obtain.</summary>
    Deny,
}
