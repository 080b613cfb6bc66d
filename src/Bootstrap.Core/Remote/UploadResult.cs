namespace Bootstrap.Core.Remote;

/// <summary>Whether an upload changed the host, and the sha256 the target now has.</summary>
public sealed record UploadResult(bool Changed, string Sha256);
