namespace Bootstrap.Core.Config;

/// <summary>Certificate settings (<c>spec.certificates</c>).</summary>
public sealed record CertificatesSpec
{
    /// <summary>Validity of the CAs; 87600h (10 years) unless set.</summary>
    public required TimeSpan CAValidity { get; init; }

    /// <summary>Validity of leaf certificates; 8760h (1 year) unless set. Never longer than <see cref="CAValidity"/>.</summary>
    public required TimeSpan Validity { get; init; }

    public required KeyAlgorithm KeyAlgorithm { get; init; }

    /// <summary>User-managed CAs by name: <c>ca</c>, <c>etcd-ca</c>, <c>front-proxy-ca</c>. Empty when Bootstrap makes all three.</summary>
    public IReadOnlyDictionary<string, ExternalCaSpec> ExternalCAs { get; init; } = new Dictionary<string, ExternalCaSpec>();
}
