using System.Net;
using Bootstrap.Core.Config;
using k8s.Models;
using Org.BouncyCastle.Asn1;
using Org.BouncyCastle.Asn1.X509;
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

        if (spec.Username is not { } username || !username.StartsWith(NodeCertificateRequest.NodeUserPrefix, StringComparison.Ordinal))
        {
            return CsrDecision.Pending($"requested by \"{spec.Username}\", not by a node (system:node:NAME)");
        }

        var nodeName = username[NodeCertificateRequest.NodeUserPrefix.Length..];
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

        if (NodeCertificateRequest.UsagesProblem(spec.Usages, ExpectedUsages) is { } usages)
        {
            return CsrDecision.Pending(usages);
        }

        var request = NodeCertificateRequest.Read(spec.Request, out var problem);
        if (request is null)
        {
            return CsrDecision.Pending(problem!);
        }

        if (NodeCertificateRequest.SubjectProblem(request, nodeName) is { } subject)
        {
            return CsrDecision.Pending(subject);
        }

        var sanProblem = CheckAlternativeNames(request, host);
        return sanProblem is null
            ? CsrDecision.Approved($"node {nodeName} requests a serving certificate for its own name and address")
            : CsrDecision.Pending(sanProblem);
    }

    private static string? CheckAlternativeNames(Pkcs10CertificationRequest request, HostSpec host)
    {
        var names = NodeCertificateRequest.AlternativeNames(request);
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
