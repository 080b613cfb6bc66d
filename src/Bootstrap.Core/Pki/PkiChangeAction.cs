namespace Bootstrap.Core.Pki;

internal enum PkiChangeAction
{
    Unchanged,

    /// <summary>Created because nothing was there.</summary>
    Created,

    /// <summary>A new certificate (with a new key, as kubeadm renews) replaced the old one.</summary>
    Reissued,

    /// <summary>The file was rewritten with the same certificate (a kubeconfig whose server or CA changed, a copied external CA).</summary>
    Rewritten,
}
