using System.Security.Cryptography;
using System.Text;
using Bootstrap.Core.Remote;

namespace Bootstrap.Core.Install;

/// <summary>
/// A file a phase wants on a host: where, with which mode and owner, and its content by sha256.
/// The content is opened only when the host's copy differs, so a binary fetched from a URL is
/// downloaded only when some host needs it.
/// </summary>
internal sealed record DesiredFile
{
    public required FileSpec Spec { get; init; }

    /// <summary>Lower-case hex sha256 of the content.</summary>
    public required string Sha256 { get; init; }

    public required Func<CancellationToken, Task<Stream>> Open { get; init; }

    public string Path => Spec.Path;

    /// <summary>
    /// For a large artifact (a binary): where the host keeps this content by its digest (<see cref="BinaryStore"/>). It is
    /// uploaded there first and put in place by a copy on the host, so a phase can stage it for every host up front and the
    /// switch in a host's turn moves no bytes over the network; the version it replaces stays there for a step back.
    /// </summary>
    public string? StagePath { get; init; }

    public static DesiredFile FromBytes(FileSpec spec, byte[] content)
    {
        ArgumentNullException.ThrowIfNull(content);
        return new DesiredFile
        {
            Spec = spec,
            Sha256 = Convert.ToHexStringLower(SHA256.HashData(content)),
            Open = _ => Task.FromResult<Stream>(new MemoryStream(content, writable: false)),
        };
    }

    public static DesiredFile FromText(FileSpec spec, string text) => FromBytes(spec, Encoding.UTF8.GetBytes(text));
}
