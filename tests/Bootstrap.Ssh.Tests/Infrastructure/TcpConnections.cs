using System.Globalization;

namespace Bootstrap.Ssh.Tests.Infrastructure;

/// <summary>
/// Counts the established TCP connections to a local port as the kernel lists them (/proc/net/tcp and tcp6: .NET's
/// sockets are dual-mode, so IPv4 connections may be listed as IPv4-mapped IPv6 ones), sampling in the
/// background until disposed: the most there were at once.
/// </summary>
internal sealed class TcpConnections : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _sampling;
    private int _most;
    private string _atMost = string.Empty;

    private TcpConnections(int port) => _sampling = Task.Run(() => SampleAsync(port, _stop.Token));

    /// <summary>The most connections seen at once so far.</summary>
    public int Most => Volatile.Read(ref _most);

    /// <summary>The connections (client end, server end, in the kernel's hex) seen when there were the most: what a failure names.</summary>
    public string AtMost => Volatile.Read(ref _atMost);

    public static TcpConnections Watch(int port) => new(port);

    /// <summary>
    /// The client ends of established connections to 127.0.0.1:<paramref name="port"/> now, each counted once.
    /// <para>
    /// The kernel writes these tables a chunk per read, walking its hash table again from where the last chunk
    /// ended: while connections open and close (the pool's reconnections), a line can be written twice. A connection
    /// is its pair of endpoints, so the pairs are counted, not the lines. Call it when nothing connects or closes;
    /// the watch (<see cref="Most"/>) also copes with churn.
    /// </para>
    /// </summary>
    public static int Count(int port) => Established(port).Count;

    private static IReadOnlyList<(string Local, string Remote)> Established(int port)
    {
        var wanted = port.ToString("X4", CultureInfo.InvariantCulture);
        return new[] { "/proc/net/tcp", "/proc/net/tcp6" }.SelectMany(table => File.ReadLines(table).Skip(1))
            .Select(line => line.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            // fields: sl local_address rem_address st …; 01 is ESTABLISHED.
            .Where(f => f[3] == "01" && f[2].EndsWith(":" + wanted, StringComparison.Ordinal))
            .Select(f => (Local: f[1], Remote: f[2]))
            .Distinct()
            .ToList();
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _sampling;
        _stop.Dispose();
    }

    private async Task SampleAsync(int port, CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            // A read of the table is not a snapshot either: it walks the kernel's hash buckets while connections change, so
            // one read can list a connection that has just closed and, further on, the one that has just replaced it. Only
            // a set two reads in a row agree on is counted: a real third connection stays long enough to be listed twice.
            var now = Established(port);
            if (now.Count > _most && now.ToHashSet().SetEquals(Established(port)))
            {
                Volatile.Write(ref _atMost, string.Join(", ", now.Select(c => $"{c.Local}->{c.Remote}")));
                Volatile.Write(ref _most, now.Count);
            }

            try
            {
                await Task.Delay(2, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }
}
