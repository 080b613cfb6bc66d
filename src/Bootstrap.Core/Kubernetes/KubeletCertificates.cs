using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Bootstrap.Core.Config;
using Bootstrap.Core.Pki;
using Bootstrap.Core.Remote;
using Org.BouncyCastle.Asn1.X509;
using Org.BouncyCastle.X509;

namespace Bootstrap.Core.Kubernetes;

/// <summary>
/// The certificates a kubelet keeps in /var/lib/kubelet/pki (each certificate and its key in one file), as the next join finds them.
/// The client certificate it got by TLS bootstrap is <see cref="CurrentPath"/>. A kubelet that starts without kubelet.conf never
/// asks for a certificate while it holds one valid by its dates: it writes kubelet.conf from it, whoever signed it. So a join must
/// know what it holds: this cluster's certificate for the node makes a token needless (kubelet.conf is written from it, as the
/// kubelet writes it), and anyone else's would be used instead of the token, and rejected by the API server, until it is removed.
/// </summary>
internal static class KubeletCertificates
{
    public const string CurrentPath = NodeLayout.KubeletDir + "/pki/kubelet-client-current.pem";

    /// <summary>The serving certificate it got by a request of its own (serverTLSBootstrap).</summary>
    public const string ServingPath = NodeLayout.KubeletDir + "/pki/kubelet-server-current.pem";

    /// <summary>Prints only the certificate blocks of <see cref="CurrentPath"/>: the key in the same file never leaves the host.</summary>
    public static RemoteCommand ReadCommand { get; } = Read(CurrentPath);

    /// <summary>The same for <see cref="ServingPath"/>.</summary>
    public static RemoteCommand ReadServingCommand { get; } = Read(ServingPath);

    /// <summary>
    /// Whether <paramref name="read"/> holds a certificate valid now by its dates. A kubelet that holds a serving certificate
    /// asks for none until it is due to renew it, so a node that joins again keeping its own is not waited for.
    /// </summary>
    public static bool ValidNow(CommandResult read, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(read);
        return read.Succeeded && StoredCredential.TryParseCertificate(Encoding.ASCII.GetBytes(read.Stdout)) is { } certificate
            && ValidityOf(certificate) is var (notBefore, notAfter) && now >= notBefore && now < notAfter;
    }

    /// <summary>What <paramref name="read"/> (<see cref="ReadCommand"/>'s result) says the kubelet of <paramref name="node"/> holds.</summary>
    public static KubeletClientCertificateVerdict Judge(CommandResult read, X509Certificate clusterCa, string node, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(read);
        ArgumentNullException.ThrowIfNull(clusterCa);
        ArgumentException.ThrowIfNullOrEmpty(node);
        if (!read.Succeeded)
        {
            return read.Stderr.Contains("No such file or directory", StringComparison.Ordinal)
                ? new(KubeletClientCertificateState.None, $"no {CurrentPath}")
                : new(KubeletClientCertificateState.Unreadable, $"{CurrentPath} cannot be read: {FirstLine(read.Stderr)}");
        }

        if (read.Stdout.Trim().Length == 0 || StoredCredential.TryParseCertificate(Encoding.ASCII.GetBytes(read.Stdout)) is not { } certificate)
        {
            return new(KubeletClientCertificateState.Unreadable, $"{CurrentPath} holds no certificate the kubelet could use");
        }

        var expected = "system:node:" + node;
        var names = certificate.SubjectDN.GetValueList(X509Name.CN);
        var (notBefore, notAfter) = ValidityOf(certificate);
        var until = notAfter.ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture);
        if (now >= notAfter || now < notBefore)
        {
            // The kubelet asks for a new certificate with the bootstrap token, as if it had none.
            return new(KubeletClientCertificateState.Outdated, $"the client certificate in {CurrentPath} is not valid now (valid {notBefore:yyyy-MM-dd} to {until})");
        }

        if (!CertificateIssuer.IsSignedBy(certificate, clusterCa))
        {
            return new(KubeletClientCertificateState.Foreign, $"the client certificate in {CurrentPath} is not signed by this cluster's CA (its issuer: {certificate.IssuerDN})");
        }

        if (names.Count != 1 || !string.Equals(names[0], expected, StringComparison.Ordinal))
        {
            return new(KubeletClientCertificateState.Foreign, $"the client certificate in {CurrentPath} is for {string.Join(", ", names)}, not {expected}");
        }

        return new(KubeletClientCertificateState.Usable, $"the kubelet's client certificate ({CurrentPath}, {expected}, valid until {until}) is this cluster's");
    }

    /// <summary>
    /// kubelet.conf naming <see cref="CurrentPath"/> for certificate and key, as the kubelet writes it after its TLS bootstrap (its
    /// cluster, user and context names), with the cluster's CA and the control-plane endpoint.
    /// </summary>
    public static string Kubeconfig(ClusterConfig config, string caCertificatePem)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentException.ThrowIfNullOrEmpty(caCertificatePem);
        var cluster = new JsonObject
        {
            ["certificate-authority-data"] = Convert.ToBase64String(Encoding.ASCII.GetBytes(caCertificatePem)),
            ["server"] = ClusterAddresses.ApiServerUrl(config),
        };
        return YamlText.Write(KubeconfigDocument.Single(
            "default-cluster", cluster, "default-auth", new JsonObject { ["client-certificate"] = CurrentPath, ["client-key"] = CurrentPath }, "default-context", "default"));
    }

    private static (DateTimeOffset NotBefore, DateTimeOffset NotAfter) ValidityOf(X509Certificate certificate) =>
        (new DateTimeOffset(DateTime.SpecifyKind(certificate.NotBefore, DateTimeKind.Utc)), new DateTimeOffset(DateTime.SpecifyKind(certificate.NotAfter, DateTimeKind.Utc)));

    private static RemoteCommand Read(string path) => new(["sed", "-n", "/^-----BEGIN CERTIFICATE-----$/,/^-----END CERTIFICATE-----$/p", "--", path], sudo: true);

    private static string FirstLine(string text) => text.Trim().Split('\n')[0];
}

/// <summary>What a node's kubelet holds in <see cref="KubeletCertificates.CurrentPath"/>.</summary>
internal enum KubeletClientCertificateState
{
    /// <summary>No such file: the kubelet bootstraps with the token.</summary>
    None,

    /// <summary>This cluster's certificate for this node, valid now: kubelet.conf can be written from it.</summary>
    Usable,

    /// <summary>Not valid now by its dates: the kubelet ignores it and bootstraps with the token.</summary>
    Outdated,

    /// <summary>Valid by its dates but another CA's or another node's: the kubelet would use it instead of the token, and be refused.</summary>
    Foreign,

    /// <summary>Not a certificate, or the file cannot be read: the kubelet cannot use it either.</summary>
    Unreadable,
}

internal sealed record KubeletClientCertificateVerdict(KubeletClientCertificateState State, string Description);
