namespace Bootstrap.Core.Images;

/// <summary>What an image archive holds: its format and the named images containerd imports from it.</summary>
internal sealed record ImageArchiveContents(ImageArchiveFormat Format, IReadOnlyList<ArchivedImage> Images);
