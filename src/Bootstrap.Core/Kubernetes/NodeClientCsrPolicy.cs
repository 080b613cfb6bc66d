using k8s.Models;

namespace Bootstrap.Core.Kubernetes;

/// <summary>
/// Node-bound join credentials, beyond kubeadm. The bootstrap tokens Bootstrap mints for its own joins are in
/// <see cref="TokenGroup"/>, which may create CSRs but whose client CSRs the controller manager does not
/// approve (only kubeadm's group is bound to the node-client approval role). Bootstrap decides them: a request
/// made with the token minted for node NAME is approved only when it is exactly the kubelet's client request for
/// NAME — signer <c>kubernetes.io/kube-apiserver-client-kubelet</c>, a verified PKCS#10 request for CN
/// <c>system:node:NAME</c>, O <c>system:nodes</c>, no alternative names, usages exactly the kubelet's — and
/// anything else made with such a token is denied, with the reason. So a root user on a worker who deletes
/// kubelet.conf and takes the next join's token can only become that worker again, never another node.
/// </summary>
internal static class NodeClientCsrPolicy
{
    public const string SignerName = "kubernetes.io/kube-apiserver-client-kubelet";

    /// <summary>The group of the tokens Bootstrap mints for its own nodes (a bootstrap token group, outside kubeadm's).</summary>
    public const string TokenGroup = "system:bootstrappers:bootstrap:nodes";

    /// <summary>The user a bootstrap token authenticates as: <c>system:bootstrap:&lt;token id&gt;</c>.</summary>
    public const string BootstrapUserPrefix = "system:bootstrap:";

    // What the v1.20 kubelet asks for (pkg/kubelet/certificate/bootstrap) and the controller manager requires of a node client CSR.
    private static readonly string[] ExpectedUsages = ["digital signature", "key encipherment", "client auth"];

    /// <summary>Whether <paramref name="csr"/> was made with one of Bootstrap's node tokens (its requester is in <see cref="TokenGroup"/>).</summary>
    public static bool MadeWithNodeToken(V1CertificateSigningRequest csr)
    {
        ArgumentNullException.ThrowIfNull(csr);
        return csr.Spec?.Groups?.Contains(TokenGroup, StringComparer.Ordinal) == true;
    }

    /// <summary>The id of the bootstrap token that made <paramref name="csr"/>, or null when a bootstrap token did not.</summary>
    public static string? TokenId(V1CertificateSigningRequest csr)
    {
        ArgumentNullException.ThrowIfNull(csr);
        return csr.Spec?.Username is { } user && user.StartsWith(BootstrapUserPrefix, StringComparison.Ordinal) ? user[BootstrapUserPrefix.Length..] : null;
    }

    /// <summary>
    /// The decision on <paramref name="csr"/>, made with one of Bootstrap's node tokens; <paramref name="nodeName"/> is the
    /// node that token was minted for, or null when no join of this run minted it (a join that is over or failed).
    /// </summary>
    public static CsrDecision Decide(V1CertificateSigningRequest csr, string? nodeName)
    {
        ArgumentNullException.ThrowIfNull(csr);
        var token = TokenId(csr);
        if (csr.Spec is not { } spec || token is null)
        {
            return CsrDecision.Denied($"not requested with a bootstrap token (requested by \"{csr.Spec?.Username}\")");
        }

        if (nodeName is null)
        {
            return CsrDecision.Denied($"requested with Bootstrap's node token {token}, which no join of this run minted (its join is over or failed; the node's next join gets a new token)");
        }

        var minted = $" (token {token} was minted for {nodeName})";
        if (spec.SignerName != SignerName)
        {
            return CsrDecision.Denied($"a node token requests only its node's client certificate, not signer \"{spec.SignerName}\"{minted}");
        }

        if (NodeCertificateRequest.UsagesProblem(spec.Usages, ExpectedUsages) is { } usages)
        {
            return CsrDecision.Denied(usages + minted);
        }

        var request = NodeCertificateRequest.Read(spec.Request, out var problem);
        if (request is null)
        {
            return CsrDecision.Denied(problem + minted);
        }

        if (NodeCertificateRequest.SubjectProblem(request, nodeName) is { } subject)
        {
            return CsrDecision.Denied(subject + minted);
        }

        return NodeCertificateRequest.AlternativeNames(request).Length > 0
            ? CsrDecision.Denied("a node client certificate has no subject alternative names" + minted)
            : CsrDecision.Approved($"the kubelet on {nodeName} requests its client certificate with the bootstrap token minted for it");
    }
}
