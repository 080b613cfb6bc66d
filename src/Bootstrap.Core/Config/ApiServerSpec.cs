namespace Bootstrap.Core.Config;

/// <summary>API server settings (<c>spec.apiServer</c>).</summary>
public sealed record ApiServerSpec
{
    /// <summary>Extra subject alternative names for the API server certificate: IP addresses or DNS names (a leading <c>*.</c> allowed).</summary>
    public required IReadOnlyList<string> CertSANs { get; init; }
}
