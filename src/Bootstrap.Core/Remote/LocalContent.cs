using System.Security.Cryptography;

namespace Bootstrap.Core.Remote;

/// <summary>
/// Content to upload, readable twice: once to hash, once to send. A seekable stream is used as it
/// is (and not read to hash when its sha256 is given); any other stream is first copied to a local temp file (deleted on
/// dispose), and hashed on the way.
/// </summary>
internal sealed class LocalContent : IAsyncDisposable
{
    private readonly Stream _stream;
    private readonly bool _owned;
    private readonly long _start;

    private LocalContent(Stream stream, bool owned, string sha256)
    {
        _stream = stream;
        _owned = owned;
        _start = stream.Position;
        Sha256 = sha256;
    }

    public string Sha256 { get; }

    public long Length => _stream.Length - _start;

    /// <param name="sha256">
    /// The content's sha256 as the caller knows it, or null. Taken as it is for a seekable stream: the upload checks the
    /// host's copy against it before the rename (<see cref="FileSpec.Sha256"/>).
    /// </param>
    public static async Task<LocalContent> OpenAsync(Stream content, string? sha256, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(content);
        if (content.CanSeek && sha256 is not null)
        {
            return new LocalContent(content, owned: false, sha256.ToLowerInvariant());
        }

        if (content.CanSeek)
        {
            var start = content.Position;
            var hash = await SHA256.HashDataAsync(content, cancellationToken).ConfigureAwait(false);
            content.Position = start;
            return new LocalContent(content, owned: false, Convert.ToHexStringLower(hash));
        }

        var copy = new FileStream(Path.GetTempFileName(), FileMode.Create, FileAccess.ReadWrite, FileShare.None, 1 << 16, FileOptions.DeleteOnClose | FileOptions.Asynchronous);
        try
        {
            using var hasher = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            var buffer = new byte[1 << 16];
            int read;
            while ((read = await content.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
            {
                hasher.AppendData(buffer, 0, read);
                await copy.WriteAsync(buffer.AsMemory(0, read), cancellationToken).ConfigureAwait(false);
            }

            copy.Position = 0;
            return new LocalContent(copy, owned: true, Convert.ToHexStringLower(hasher.GetHashAndReset()));
        }
        catch
        {
            await copy.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>The content from its start.</summary>
    public Stream Rewind()
    {
        _stream.Position = _start;
        return _stream;
    }

    public async ValueTask DisposeAsync()
    {
        if (_owned)
        {
            await _stream.DisposeAsync().ConfigureAwait(false);
        }
    }
}
