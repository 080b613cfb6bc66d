namespace Bootstrap.Core.Pki;

internal enum CertificateKind
{
    /// <summary>A self-signed CA (or a user-supplied one): files &lt;path&gt;.crt and &lt;path&gt;.key.</summary>
    Authority,

    /// <summary>A certificate signed by a CA: files &lt;path&gt;.crt and &lt;path&gt;.key.</summary>
    Leaf,

    /// <summary>A kubeconfig file embedding the CA, a client certificate signed by it, and its key.</summary>
    Kubeconfig,
}
