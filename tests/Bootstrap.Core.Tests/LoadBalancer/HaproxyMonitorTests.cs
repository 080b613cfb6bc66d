using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Bootstrap.Core.LoadBalancer;
using Bootstrap.Core.Tests.Rendering;

namespace Bootstrap.Core.Tests.LoadBalancer;

/// <summary>
/// The rendered haproxy.cfg run by the real haproxy, its API servers replaced by one local TLS server
/// (<c>openssl s_server -www</c>, which answers every GET with 200): the monitor frontend keepalived asks answers
/// 200 while that API server passes its checks, 503 once it is gone, and 200 again when it is back; its statistics,
/// which a roll reads, say UP and DOWN at the same moments.
/// </summary>
[Trait("Category", "HostTools")]
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class HaproxyMonitorTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("bootstrap-haproxy-").FullName;
    private readonly List<Process> _processes = [];

    public void Dispose()
    {
        foreach (var process in _processes.Where(p => !p.HasExited))
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit();
        }

        Directory.Delete(_dir, recursive: true);
    }

    [Fact]
    public async Task The_monitor_fails_exactly_while_no_api_server_passes_its_checks_and_the_statistics_say_when_it_is_up()
    {
        var (front, monitor, api) = (FreePort(), FreePort(), FreePort());
        var (code, output) = HostTool.Run("openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
            "-subj", "/CN=apiserver", "-days", "1", "-keyout", Path.Combine(_dir, "key.pem"), "-out", Path.Combine(_dir, "cert.pem"));
        Assert.True(code == 0, output);
        var rendered = LabRenderings.All()["haproxy.cfg"]();
        var config = string.Join('\n', rendered.Split('\n')
            .Where(l => !l.Contains("log /dev/log", StringComparison.Ordinal) && !l.TrimStart().StartsWith("server cp2", StringComparison.Ordinal) && !l.TrimStart().StartsWith("server cp3", StringComparison.Ordinal))
            .Select(l => l.Replace("bind *:6443", $"bind 127.0.0.1:{front}", StringComparison.Ordinal)
                .Replace($"bind 127.0.0.1:{LoadBalancerFiles.MonitorPort}", $"bind 127.0.0.1:{monitor}", StringComparison.Ordinal)
                .Replace("server cp1 192.168.56.21:6443", $"server cp1 127.0.0.1:{api}", StringComparison.Ordinal)));
        Assert.Contains($"server cp1 127.0.0.1:{api}", config, StringComparison.Ordinal);
        Assert.Contains($"bind 127.0.0.1:{monitor}", config, StringComparison.Ordinal);
        var path = Path.Combine(_dir, "haproxy.cfg");
        await File.WriteAllTextAsync(path, config);
        var url = new Uri(LoadBalancerFiles.MonitorUrl.Replace($":{LoadBalancerFiles.MonitorPort}/", $":{monitor}/", StringComparison.Ordinal));
        var servers = new Uri(LoadBalancerFiles.ServersUrl.Replace($":{LoadBalancerFiles.MonitorPort}/", $":{monitor}/", StringComparison.Ordinal));

        var apiServer = StartApiServer(api);
        Start("haproxy", "-db", "-f", path);
        Assert.True(await UntilAsync(url, HttpStatusCode.OK), "the monitor never answered 200 with a passing API server");
        Assert.Equal("UP", await StateAsync(servers));

        apiServer.Kill();
        await apiServer.WaitForExitAsync();
        Assert.True(await UntilAsync(url, HttpStatusCode.ServiceUnavailable), "the monitor still answered 200 with its only API server gone");
        Assert.Equal("DOWN", await StateAsync(servers));

        StartApiServer(api);
        Assert.True(await UntilAsync(url, HttpStatusCode.OK), "the monitor did not answer 200 again once the API server was back");
        Assert.Equal("UP", await StateAsync(servers));
    }

    /// <summary>cp1's state in the statistics the monitor frontend serves, as a roll reads it (<see cref="HaproxyServers"/>).</summary>
    private static async Task<string?> StateAsync(Uri servers)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        using var response = await http.GetAsync(servers);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return HaproxyServers.State(await response.Content.ReadAsStringAsync(), "cp1");
    }

    private Process StartApiServer(int port) =>
        Start("openssl", "s_server", "-accept", port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "-cert", Path.Combine(_dir, "cert.pem"), "-key", Path.Combine(_dir, "key.pem"), "-www", "-quiet");

    private Process Start(string program, params string[] arguments)
    {
        var start = new ProcessStartInfo(new[] { "/usr/sbin", "/usr/bin" }.Select(d => Path.Combine(d, program)).First(File.Exists))
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        var process = Process.Start(start)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _processes.Add(process);
        return process;
    }

    /// <summary>Whether the monitor answers <paramref name="expected"/> within 20 s (haproxy's checks: every 2 s, 3 failures down, 2 passes up).</summary>
    private static async Task<bool> UntilAsync(Uri url, HttpStatusCode expected)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(20))
        {
            try
            {
                using var response = await http.GetAsync(url);
                if (response.StatusCode == expected)
                {
                    return true;
                }
            }
            catch (HttpRequestException)
            {
                // haproxy is not listening yet.
            }
            catch (TaskCanceledException)
            {
                // No answer within the timeout.
            }

            await Task.Delay(250);
        }

        return false;
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
