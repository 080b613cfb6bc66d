using System.Net;
using System.Text;
using Bootstrap.Core.Config;
using k8s.Models;
using Org.BouncyCastle.Asn1;
using Org.BouncyCastle.Asn1.X509;
using Org.BouncyCastle.OpenSsl;
using Org.BouncyCastle.Pkcs;

namespace Bootstrap.Core.Kubernetes;

/// <summary>
/// Decides whether a kubelet's serving-certificate request (<c>kubernetes.io/kubelet-serving</c>, made
/// because the kubelet runs with <c>serverTLSBootstrap</c>) may be approved. Nothing in Kubernetes approves
/// these; approving blindly would let any node claim any name or address. A request is approved only when
/// a node of the cluster file asks for itself: user <c>system:node:NAME</c> in group system:nodes, a valid
/// PKCS#10 request for CN <c>system:node:NAME</c>, O <c>system:nodes</c>, whose DNS names are all NAME and
/// whose IP addresses are all that host's address, with exactly the usages the kubelet asks for.
/// Anything else stays pending, with the reason.
/// </summary>
internal static class KubeletServingCsrPolicy
{
    public const string SignerName = "kubernetes.io/kubelet-serving";

    private const string NodeUserPrefix = "system:node:";

    private static readonly string[] ExpectedUsages = ["digital signature", "key encipherment", "server auth"];

    public static CsrDecision Decide(V1CertificateSigningRequest csr, ClusterConfig config)
    {
        ArgumentNullException.ThrowIfNull(csr);
        ArgumentNullException.ThrowIfNull(config);
        var spec = csr.Spec;
        if (spec is null)
        {
            return CsrDecision.Pending("the request has no spec");
        }

        if (spec.SignerName != SignerName)
        {
            return CsrDecision.Pending($"signer is \"{spec.SignerName}\", not {SignerName}");
        }

        if (spec.Username is not { } username || !username.StartsWith(NodeUserPrefix, StringComparison.Ordinal))
        {
            return CsrDecision.Pending($"requested by \"{spec.Username}\", not by a node (system:node:NAME)");
        }

        var nodeName = username[NodeUserPrefix.Length..];
        var host = config.Hosts.FirstOrDefault(h => h.Name == nodeName);
        if (host is null)
        {
            return CsrDecision.Pending($"node \"{nodeName}\" is not a host of cluster {config.Name}");
        }

        if (!host.HasRole(HostRole.ControlPlane) && !host.HasRole(HostRole.Worker))
        {
            return CsrDecision.Pending($"host {nodeName} runs no kubelet (it is neither a control-plane host nor a worker)");
        }

        if (spec.Groups is null || !spec.Groups.Contains(KubeadmObjectNames.NodesGroup, StringComparer.Ordinal))
        {
            return CsrDecision.Pending($"the requester is not in group {KubeadmObjectNames.NodesGroup}");
        }

        var usages = spec.Usages ?? [];
        if (usages.Count != ExpectedUsages.Length || !ExpectedUsages.All(u => usages.Contains(u, StringComparer.Ordinal)))
        {
            return CsrDecision.Pending($"usages are [{string.Join(", ", usages)}], expected exactly [{string.Join(", ", ExpectedUsages)}]");
        }

        var request = ReadRequest(spec.Request);
        if (request is null)
        {
            return CsrDecision.Pending("the request is not a PEM-encoded PKCS#10 certificate request");
        }

        if (!Verifies(request))
        {
            return CsrDecision.Pending("the request's signature does not verify");
        }

        var subject = request.GetCertificationRequestInfo().Subject;
        var subjectProblem = CheckSubject(subject, nodeName);
        if (subjectProblem is not null)
        {
            return CsrDecision.Pending(subjectProblem);
        }

        var sanProblem = CheckAlternativeNames(request, host);
        return sanProblem is null
            ? CsrDecision.Approved($"node {nodeName} requests a serving certificate for its own name and address")
            : CsrDecision.Pending(sanProblem);
    }

    private static Pkcs10CertificationRequest? ReadRequest(byte[]? pem)
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
#pragma warning disable CA1031 // Whatever a requester sent, a malformed request only stays pending.
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

    private static string? CheckSubject(X509Name subject, string nodeName)
    {
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

    private static string? CheckAlternativeNames(Pkcs10CertificationRequest request, HostSpec host)
    {
        var extensions = request.GetRequestedExtensions();
        var sanExtension = extensions?.GetExtension(X509Extensions.SubjectAlternativeName);
        if (sanExtension is null)
        {
            return "the request has no subject alternative names";
        }

        var names = GeneralNames.GetInstance(sanExtension.GetParsedValue()).GetNames();
        if (names.Length == 0)
        {
            return "the request has no subject alternative names";
        }

        foreach (var name in names)
        {
            switch (name.TagNo)
            {
                case GeneralName.DnsName:
                    var dns = DerIA5String.GetInstance(name.Name).GetString();
                    if (dns != host.Name)
                    {
                        return $"DNS name \"{dns}\" is not the node's name {host.Name}";
                    }

                    break;
                case GeneralName.IPAddress:
                    var bytes = Asn1OctetString.GetInstance(name.Name).GetOctets();
                    if (bytes.Length is not (4 or 16))
                    {
                        return "an IP address SAN is malformed";
                    }

                    var address = new IPAddress(bytes);
                    if (!address.Equals(host.Address))
                    {
                        return $"IP address {address} is not the node's address {host.Address}";
                    }

                    break;
                default:
                    return $"a subject alternative name of type {name.TagNo} is neither a DNS name nor an IP address";
            }
        }

        return null;
    }
}
