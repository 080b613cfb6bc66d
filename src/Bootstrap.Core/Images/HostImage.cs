namespace Bootstrap.Core.Images;

/// <summary>An image containerd holds: its name, the media type of what its record points at, and that digest.</summary>
internal sealed record HostImage(string Name, string MediaType, string Digest);
