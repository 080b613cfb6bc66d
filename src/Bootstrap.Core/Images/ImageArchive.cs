namespace Bootstrap.Core.Images;

/// <summary>
/// An image archive of <c>spec.artifacts.images</c>: its file name, its sha256 (checked before its contents were
/// trusted, and again on each host after the upload), what it holds, and how to open the checked local copy.
/// </summary>
internal sealed record ImageArchive
{
    public required string File { get; init; }

    public required string Sha256 { get; init; }

    public required ImageArchiveContents Contents { get; init; }

    /// <summary>Opens the local copy (in URL mode, downloaded once into the state's artifact cache), checked against <see cref="Sha256"/>.</summary>
    public required Func<CancellationToken, Task<Stream>> Open { get; init; }
}
