using System.Text;
using Bootstrap.Core.Config;
using Bootstrap.Core.Kubernetes;
using Bootstrap.Core.Pki;
using Bootstrap.Core.Remote;
using k8s;
using Org.BouncyCastle.Crypto;
using Org.BouncyCastle.X509;

namespace Bootstrap.Core.Tests.Kubernetes;

public sealed class KubeletCertificatesTests
{
    private static readonly DateTimeOffset Now = new(2026, 6, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly AsymmetricCipherKeyPair CaKey = PrivateKeys.Generate(KeyAlgorithm.EcdsaP256);
    private static readonly X509Certificate Ca = Authority("kubernetes", CaKey);
    private static readonly AsymmetricCipherKeyPair OtherCaKey = PrivateKeys.Generate(KeyAlgorithm.EcdsaP256);
    private static readonly X509Certificate OtherCa = Authority("kubernetes", OtherCaKey);

    [Fact]
    public void The_read_prints_only_the_certificate_blocks_as_root()
    {
        var command = KubeletCertificates.ReadCommand;

        Assert.True(command.Sudo);
        Assert.Equal("sed", command.Argv[0]);
        Assert.Contains("/^-----BEGIN CERTIFICATE-----$/,/^-----END CERTIFICATE-----$/p", command.Argv);
        Assert.Equal("/var/lib/kubelet/pki/kubelet-client-current.pem", command.Argv[^1]);
    }

    [Fact]
    public void This_clusters_certificate_for_the_node_valid_now_is_usable()
    {
        var verdict = Judge(Read(Issue("system:node:w1", Ca, CaKey)), "w1");

        Assert.Equal(KubeletClientCertificateState.Usable, verdict.State);
        Assert.Contains("system:node:w1", verdict.Description, StringComparison.Ordinal);
        Assert.Contains("valid until 2026-06-01 23:00 UTC", verdict.Description, StringComparison.Ordinal);
    }

    [Fact]
    public void Another_cas_certificate_with_the_same_issuer_name_is_foreign() =>
        Assert.Equal(KubeletClientCertificateState.Foreign, Judge(Read(Issue("system:node:w1", OtherCa, OtherCaKey)), "w1").State);

    [Fact]
    public void A_certificate_for_another_node_is_foreign()
    {
        var verdict = Judge(Read(Issue("system:node:w2", Ca, CaKey)), "w1");

        Assert.Equal(KubeletClientCertificateState.Foreign, verdict.State);
        Assert.Contains("is for system:node:w2, not system:node:w1", verdict.Description, StringComparison.Ordinal);
    }

    [Fact]
    public void An_expired_or_not_yet_valid_certificate_is_outdated_whoever_signed_it()
    {
        Assert.Equal(KubeletClientCertificateState.Outdated, Judge(Read(Issue("system:node:w1", Ca, CaKey)), "w1", Now.AddDays(2)).State);
        Assert.Equal(KubeletClientCertificateState.Outdated, Judge(Read(Issue("system:node:w1", OtherCa, OtherCaKey)), "w1", Now.AddDays(-11)).State);
    }

    [Fact]
    public void No_file_is_none_and_garbage_or_another_failure_is_unreadable()
    {
        Assert.Equal(KubeletClientCertificateState.None, Judge(new CommandResult(2, string.Empty, "sed: can't read /var/lib/kubelet/pki/kubelet-client-current.pem: No such file or directory\n"), "w1").State);
        Assert.Equal(KubeletClientCertificateState.Unreadable, Judge(new CommandResult(4, string.Empty, "sed: couldn't open: Input/output error\n"), "w1").State);
        Assert.Equal(KubeletClientCertificateState.Unreadable, Judge(Read(string.Empty), "w1").State);
        Assert.Equal(KubeletClientCertificateState.Unreadable, Judge(Read("-----BEGIN CERTIFICATE-----\nnot base64!\n-----END CERTIFICATE-----\n"), "w1").State);
    }

    [Fact]
    public void A_serving_certificate_counts_while_it_is_valid_by_its_dates_and_nothing_else_does()
    {
        var serving = Read(Issue("system:node:w1", OtherCa, OtherCaKey));

        Assert.Equal("/var/lib/kubelet/pki/kubelet-server-current.pem", KubeletCertificates.ReadServingCommand.Argv[^1]);
        Assert.True(KubeletCertificates.ValidNow(serving, Now));
        Assert.False(KubeletCertificates.ValidNow(serving, Now.AddDays(2)));
        Assert.False(KubeletCertificates.ValidNow(serving, Now.AddDays(-11)));
        Assert.False(KubeletCertificates.ValidNow(new CommandResult(2, string.Empty, "sed: can't read: No such file or directory"), Now));
        Assert.False(KubeletCertificates.ValidNow(Read(string.Empty), Now));
    }

    [Fact]
    public void Only_joined_nodes_without_a_serving_certificate_are_waited_for()
    {
        var joins = new NodeJoins();
        joins.Add("w1", "aaaaaa");
        joins.Add("w2", "bbbbbb", holdsServingCertificate: true);

        Assert.Equal(["w1", "w2"], joins.Snapshot.Keys.Order());
        Assert.Equal(new Dictionary<string, string> { ["w1"] = "aaaaaa" }, joins.AskingForServing);
    }

    [Fact]
    public void The_kubeconfig_names_the_current_pem_for_certificate_and_key_with_the_endpoint_and_the_ca()
    {
        const string CaPem = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";

        var text = KubeletCertificates.Kubeconfig(LabCluster.Load(), CaPem);

        using var stream = new MemoryStream(Encoding.UTF8.GetBytes(text));
        var loaded = KubernetesClientConfiguration.LoadKubeConfig(stream);
        var cluster = Assert.Single(loaded.Clusters);
        Assert.Equal("https://192.168.56.10:6443", cluster.ClusterEndpoint.Server);
        Assert.Equal(CaPem, Encoding.ASCII.GetString(Convert.FromBase64String(cluster.ClusterEndpoint.CertificateAuthorityData)));
        var user = Assert.Single(loaded.Users);
        Assert.Equal("/var/lib/kubelet/pki/kubelet-client-current.pem", user.UserCredentials.ClientCertificate);
        Assert.Equal("/var/lib/kubelet/pki/kubelet-client-current.pem", user.UserCredentials.ClientKey);
        Assert.Null(user.UserCredentials.Token);
        Assert.Equal("default-context", loaded.CurrentContext);
    }

    private static KubeletClientCertificateVerdict Judge(CommandResult read, string node, DateTimeOffset? now = null) =>
        KubeletCertificates.Judge(read, Ca, node, now ?? Now);

    private static CommandResult Read(string stdout) => new(0, stdout, string.Empty);

    private static X509Certificate Authority(string name, AsymmetricCipherKeyPair key) => CertificateIssuer.CreateAuthority(
        new CertificateSpec { Name = "ca", Kind = CertificateKind.Authority, Path = "pki/ca", CommonName = name, HostPath = "/etc/kubernetes/pki/ca" },
        key, Now.AddDays(-10), TimeSpan.FromDays(3650));

    // What the read gives back of the kubelet's file: the certificate (valid from its CA's start, for a day from an hour ago), not its key.
    private static string Issue(string commonName, X509Certificate ca, AsymmetricCipherKeyPair caKey)
    {
        var key = PrivateKeys.Generate(KeyAlgorithm.EcdsaP256);
        var spec = new CertificateSpec
        {
            Name = "kubelet-client",
            Kind = CertificateKind.Leaf,
            Path = "kubelet-client",
            CaName = "ca",
            CommonName = commonName,
            Organizations = ["system:nodes"],
            Purposes = KeyPurposes.ClientAuth,
            HostPath = KubeletCertificates.CurrentPath,
        };
        return StoredCredential.Create(CertificateIssuer.Issue(spec, key.Public, ca, caKey.Private, Now.AddHours(-1), TimeSpan.FromDays(1)), key).CertificatePem;
    }
}
