namespace Bootstrap.Core.Remote;

/// <summary>What <see cref="RemoteFileProbe.ProbeAsync"/> read on a host.</summary>
/// <param name="States">The state of each path asked about; null where it does not exist.</param>
/// <param name="Hashed">The regular files it hashed in full (no entry described them), with the identity they had before.</param>
/// <param name="Manifest">The host's manifest of installed files as read; null when the probe did not read it.</param>
/// <param name="Stats">What <c>stat</c> reported of each path (its identity: size, times, inode); null where it does not exist.</param>
internal sealed record FileProbe(
    IReadOnlyDictionary<string, RemoteFileState?> States, IReadOnlyList<InstalledFile> Hashed, InstalledFilesManifest? Manifest, IReadOnlyDictionary<string, FileStat?> Stats);
