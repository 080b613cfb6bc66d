namespace Bootstrap.Core.Pki;

/// <summary>
/// One line of the expiry report. <see cref="ExpiresAt"/> is null when the file is missing, or <see cref="Damaged"/>: there, but
/// not a PEM certificate (or a kubeconfig without one).
/// </summary>
internal sealed record CertificateExpiry(
    string Name,
    CertificateKind Kind,
    DateTimeOffset? ExpiresAt,
    TimeSpan? Residual,
    string? SigningCa,
    bool ExternallyManaged,
    bool Damaged = false);
