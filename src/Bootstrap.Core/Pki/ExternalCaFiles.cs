namespace Bootstrap.Core.Pki;

/// <summary>
/// A CA the user manages outside Bootstrap: PEM certificate and private key files. They are
/// copied into the state directory and the CA is reported as externally managed.
/// </summary>
internal sealed record ExternalCaFiles(string CertificatePath, string KeyPath);
