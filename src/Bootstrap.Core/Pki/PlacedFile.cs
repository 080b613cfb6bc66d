namespace Bootstrap.Core.Pki;

/// <summary>A file of the PKI on one host: where it comes from in the state, where it goes, and who owns it there.</summary>
/// <param name="Entry">The catalog entry (or "sa"), to tell the certificates from the kubeconfigs.</param>
internal sealed record PlacedFile(string StatePath, string HostPath, bool Secret, string Owner, CertificateKind Entry);
