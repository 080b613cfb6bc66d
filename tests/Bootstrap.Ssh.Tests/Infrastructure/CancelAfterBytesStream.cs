namespace Bootstrap.Ssh.Tests.Infrastructure;

/// <summary>
/// A read-only view of a stream that cancels a token once more than a given number of bytes were read through it,
/// and tells <paramref name="onRead"/> the running total after every read.
/// </summary>
internal sealed class CancelAfterBytesStream(Stream inner, long threshold, CancellationTokenSource cancel, Action<long>? onRead = null) : Stream
{
    private long _read;

    public long BytesRead => _read;

    public override bool CanRead => true;

    public override bool CanSeek => inner.CanSeek;

    public override bool CanWrite => false;

    public override long Length => inner.Length;

    public override long Position
    {
        get => inner.Position;
        set => inner.Position = value;
    }

    public override int Read(byte[] buffer, int offset, int count) => Count(inner.Read(buffer, offset, count));

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        Count(await inner.ReadAsync(buffer, cancellationToken));

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override long Seek(long offset, SeekOrigin origin) => inner.Seek(offset, origin);

    public override void Flush()
    {
    }

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    private int Count(int read)
    {
        // Counted apart from the callback: `onRead?.Invoke(_read += read)` skips the whole argument, and so
        // the count, when there is no callback.
        _read += read;
        onRead?.Invoke(_read);
        if (_read > threshold)
        {
            cancel.Cancel();
        }

        return read;
    }
}
