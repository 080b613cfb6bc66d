using Bootstrap.Core.Config;
using Org.BouncyCastle.X509;

namespace Bootstrap.Core.Pki;

/// <summary>
/// When a leaf or kubeconfig certificate is re-issued: when it is unreadable, its key does not
/// match, another CA signed it, it expires inside the renewal window, or its subject, extended
/// key usages, SANs (compared as sets) or key algorithm differ from the catalog entry.
/// Checked in that order; the first reason found is reported.
/// </summary>
internal static class ReissuePolicy
{
    /// <summary>Why the stored credential must be replaced, or null when it still fits the catalog entry.</summary>
    public static string? Reason(CertificateSpec spec, StoredCredential? stored, X509Certificate ca, PkiRequest request, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(request);
        if (stored is null)
        {
            return "unreadable certificate or key";
        }

        var certificate = stored.Certificate;
        if (!stored.KeyMatchesCertificate)
        {
            return "private key does not match the certificate";
        }

        if (!CertificateIssuer.IsSignedBy(certificate, ca))
        {
            return $"not signed by the current {spec.CaName} CA";
        }

        var notAfter = new DateTimeOffset(DateTime.SpecifyKind(certificate.NotAfter, DateTimeKind.Utc));
        if (notAfter - now <= request.RenewBefore)
        {
            return $"expires {notAfter:yyyy-MM-dd HH:mm:ss}Z, inside the renewal window of {request.RenewBefore.TotalDays:0.##} days";
        }

        if (!certificate.SubjectDN.Equivalent(CertificateIssuer.Subject(spec), inOrder: true))
        {
            return "subject (CN/O) changed";
        }

        if (CertificateIssuer.PurposesOf(certificate) != spec.Purposes)
        {
            return "extended key usages changed";
        }

        var dns = CertificateIssuer.DnsNamesOf(certificate);
        var ips = CertificateIssuer.IpAddressesOf(certificate);
        if (!dns.ToHashSet(StringComparer.OrdinalIgnoreCase).SetEquals(spec.DnsNames) || !ips.ToHashSet().SetEquals(spec.IpAddresses))
        {
            return "SANs changed";
        }

        if (PrivateKeys.AlgorithmOf(certificate.SubjectPublicKeyInfo) != request.KeyAlgorithm)
        {
            return "key algorithm changed";
        }

        return null;
    }
}
