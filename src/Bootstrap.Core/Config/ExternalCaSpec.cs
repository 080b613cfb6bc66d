namespace Bootstrap.Core.Config;

/// <summary>A CA the user manages: its certificate and private key files (absolute paths).</summary>
public sealed record ExternalCaSpec
{
    public required string CertFile { get; init; }

    public required string KeyFile { get; init; }
}
