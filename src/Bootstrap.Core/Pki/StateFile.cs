namespace Bootstrap.Core.Pki;

/// <summary>A file of the cluster state to write: its path relative to the state directory, content and mode.</summary>
internal sealed record StateFile(string Path, byte[] Content, UnixFileMode Mode);
