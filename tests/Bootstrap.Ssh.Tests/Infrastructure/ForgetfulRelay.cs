using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Bootstrap.Ssh.Tests.Infrastructure;

/// <summary>
/// A TCP hop in front of a server, standing for the network path to a host that can reboot: after
/// <see cref="Forget"/> it drops the server side and sends nothing more to the client, and answers the
/// client's next bytes with a reset, as a rebooted host's kernel answers a connection it no longer knows.
/// A client that never sends never finds out. After <see cref="Pause"/> it passes nothing either way and closes nothing,
/// as a host that froze: with small buffers, what the client sends then fills the sockets until its sends block.
/// </summary>
public sealed class ForgetfulRelay : IDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly string _targetAddress;
    private readonly int _targetPort;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<(TcpClient Client, TcpClient Server)> _pairs = [];
    private volatile bool _forgotten;
    private volatile bool _paused;
    private long _lastTraffic = Stopwatch.GetTimestamp();

    /// <param name="smallBuffers">The client side's receive buffer is 16 KB (a paused relay soon blocks the client's sends).</param>
    public ForgetfulRelay(string targetAddress, int targetPort, bool smallBuffers = false)
    {
        _targetAddress = targetAddress;
        _targetPort = targetPort;
        if (smallBuffers)
        {
            _listener.Server.ReceiveBufferSize = 16 * 1024;
        }

        _listener.Start();
        _ = AcceptAsync();
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    /// <summary>How many connections the relay reset because their client spoke after <see cref="Forget"/>.</summary>
    public int Resets { get; private set; }

    /// <summary>
    /// Waits until nothing crossed the relay for <paramref name="quiet"/>: whatever a login or a command
    /// sends last has arrived, so a byte after <see cref="Forget"/> can only come from something new.
    /// </summary>
    public async Task QuietAsync(TimeSpan quiet, TimeSpan limit)
    {
        var waited = Stopwatch.StartNew();
        while (Stopwatch.GetElapsedTime(Interlocked.Read(ref _lastTraffic)) < quiet)
        {
            if (waited.Elapsed > limit)
            {
                throw new TimeoutException($"the relay saw traffic at least every {quiet} for {limit}");
            }

            await Task.Delay(50);
        }
    }

    /// <summary>Stops passing bytes, either way, for good; nothing is closed.</summary>
    public void Pause() => _paused = true;

    public void Forget()
    {
        _forgotten = true;
        lock (_pairs)
        {
            foreach (var (_, server) in _pairs)
            {
                server.Close();
            }
        }
    }

    /// <summary>The host is back: new connections are relayed again (the ones it forgot stay forgotten: their server side is closed).</summary>
    public void Remember() => _forgotten = false;

    public void Dispose()
    {
        _stop.Cancel();
        _listener.Stop();
        lock (_pairs)
        {
            foreach (var (client, server) in _pairs)
            {
                client.Close();
                server.Close();
            }
        }

        _stop.Dispose();
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                return;
            }

            var server = new TcpClient();
            await server.ConnectAsync(_targetAddress, _targetPort);
            lock (_pairs)
            {
                _pairs.Add((client, server));
            }

            _ = PumpAsync(client, server, fromClient: true);
            _ = PumpAsync(server, client, fromClient: false);
        }
    }

    private async Task PumpAsync(TcpClient from, TcpClient to, bool fromClient)
    {
        var buffer = new byte[65536];
        try
        {
            while (true)
            {
                while (_paused)
                {
                    await Task.Delay(50, _stop.Token);
                }

                var read = await from.GetStream().ReadAsync(buffer, _stop.Token);
                if (read == 0)
                {
                    break;
                }

                Interlocked.Exchange(ref _lastTraffic, Stopwatch.GetTimestamp());

                if (_forgotten)
                {
                    if (fromClient)
                    {
                        from.Client.LingerState = new LingerOption(true, 0);
                        from.Close();
                        Resets++;
                    }

                    return;
                }

                await to.GetStream().WriteAsync(buffer.AsMemory(0, read), _stop.Token);
            }

            if (!_forgotten)
            {
                to.Client.Shutdown(SocketShutdown.Send);
            }
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException or OperationCanceledException or InvalidOperationException)
        {
            // One side went away; the test looks at what the client saw.
        }
    }
}
