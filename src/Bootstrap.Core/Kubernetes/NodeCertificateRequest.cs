using System.Text;
using Org.BouncyCastle.Asn1.X509;
using Org.BouncyCastle.OpenSsl;
using Org.BouncyCastle.Pkcs;

namespace Bootstrap.Core.Kubernetes;

/// <summary>
/// The checks both node CSR policies make of a request: its PKCS#10 request parsed from PEM with a signature that
/// verifies, a subject of exactly CN <c>system:node:NAME</c> and O <c>system:nodes</c>, exactly the expected usages.
/// Each returns why a request fails it, or null. Whatever a requester sent, a malformed request is only a reason.
/// </summary>
internal static class NodeCertificateRequest
{
    public const string NodeUserPrefix = "system:node:";

    /// <summary>The PKCS#10 request, or null with <paramref name="problem"/> when it is not one or its signature does not verify.</summary>
    public static Pkcs10CertificationRequest? Read(byte[]? pem, out string? problem)
    {
        var request = Parse(pem);
        problem = request is null ? "the request is not a PEM-encoded PKCS#10 certificate request"
            : !Verifies(request) ? "the request's signature does not verify"
            : null;
        return problem is null ? request : null;
    }

    /// <summary>Why the subject is not exactly CN <c>system:node:<paramref name="nodeName"/></c>, O <c>system:nodes</c>, or null.</summary>
    public static string? SubjectProblem(Pkcs10CertificationRequest request, string nodeName)
    {
        ArgumentNullException.ThrowIfNull(request);
        var subject = request.GetCertificationRequestInfo().Subject;
        var expectedCn = NodeUserPrefix + nodeName;
        var commonNames = subject.GetValueList(X509Name.CN);
        var organizations = subject.GetValueList(X509Name.O);
        if (commonNames.Count != 1 || commonNames[0] != expectedCn)
        {
            return $"subject CN is [{string.Join(", ", commonNames)}], expected {expectedCn}";
        }

        if (organizations.Count != 1 || organizations[0] != KubeadmObjectNames.NodesGroup)
        {
            return $"subject O is [{string.Join(", ", organizations)}], expected {KubeadmObjectNames.NodesGroup}";
        }

        var others = subject.GetOidList().Where(oid => !oid.Equals(X509Name.CN) && !oid.Equals(X509Name.O)).ToArray();
        return others.Length == 0 ? null : $"subject has attributes other than CN and O ({string.Join(", ", others.Select(o => o.Id))})";
    }

    /// <summary>Why <paramref name="usages"/> are not exactly <paramref name="expected"/> (in any order), or null.</summary>
    public static string? UsagesProblem(IList<string>? usages, IReadOnlyList<string> expected)
    {
        ArgumentNullException.ThrowIfNull(expected);
        usages ??= [];
        return usages.Count == expected.Count && expected.All(u => usages.Contains(u, StringComparer.Ordinal)) ? null
            : $"usages are [{string.Join(", ", usages)}], expected exactly [{string.Join(", ", expected)}]";
    }

    /// <summary>The requested subject alternative names, empty when the request asks for none.</summary>
    public static GeneralName[] AlternativeNames(Pkcs10CertificationRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var extension = request.GetRequestedExtensions()?.GetExtension(X509Extensions.SubjectAlternativeName);
        return extension is null ? [] : GeneralNames.GetInstance(extension.GetParsedValue()).GetNames();
    }

    private static Pkcs10CertificationRequest? Parse(byte[]? pem)
    {
        if (pem is null || pem.Length == 0)
        {
            return null;
        }

        try
        {
            using var reader = new StringReader(Encoding.ASCII.GetString(pem));
            return new PemReader(reader).ReadObject() as Pkcs10CertificationRequest;
        }
#pragma warning disable CA1031 // Whatever a requester sent, a malformed request is only a reason.
        catch (Exception)
#pragma warning restore CA1031
        {
            return null;
        }
    }

    private static bool Verifies(Pkcs10CertificationRequest request)
    {
        try
        {
            return request.Verify();
        }
#pragma warning disable CA1031 // An unknown algorithm or a broken key is a request that does not verify.
        catch (Exception)
#pragma warning restore CA1031
        {
            return false;
        }
    }
}
