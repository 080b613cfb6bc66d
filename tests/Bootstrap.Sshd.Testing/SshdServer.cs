using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Bootstrap.Sshd.Testing;

/// <summary>
/// A real OpenSSH server on its own address and port, config and host key, in a temp directory; optionally
/// inside a network namespace. Stopped (and its directory removed) on dispose. Used by the SSH tests and
/// by the benchmarks' driver (bench/Bootstrap.Bench), which starts hundreds of them on 127.0.0.x.
/// </summary>
public sealed class SshdServer : IDisposable
{
    private readonly Process _process;
    private readonly System.Text.StringBuilder _log;

    private SshdServer(string directory, string address, int port, Process process, System.Text.StringBuilder log)
    {
        Directory = directory;
        Address = address;
        Port = port;
        _process = process;
        _log = log;
    }

    public string Directory { get; }

    public string Address { get; }

    public int Port { get; }

    public string HostPublicKeyPath => Path.Combine(Directory, "host_key.pub");

    /// <summary>The host public key blob as base64 (the second field of the .pub file).</summary>
    public string HostPublicKey => File.ReadAllText(HostPublicKeyPath).Split(' ')[1];

    /// <summary>This server's line for a known_hosts file: <c>[address]:port ssh-ed25519 KEY</c>.</summary>
    public string KnownHostsLine => $"[{Address}]:{Port} ssh-ed25519 {HostPublicKey}";

    public string HostKeyFingerprint => Proc.Run("ssh-keygen", "-l", "-E", "sha256", "-f", HostPublicKeyPath).Split(' ')[1];

    /// <summary>
    /// The logins this sshd accepted so far, one per authenticated SSH connection (its "Accepted METHOD for USER" log lines; the log
    /// is read as it comes, so a login a moment old may not be counted yet).
    /// </summary>
    public int AcceptedLogins => Log.Split('\n').Count(line => System.Text.RegularExpressions.Regex.IsMatch(line, @"^Accepted \S+ for "));

    /// <summary>What this sshd logged so far (at the level it was started with), read as it comes.</summary>
    public string Log
    {
        get
        {
            lock (_log)
            {
                return _log.ToString();
            }
        }
    }

    /// <summary>The count of logins once it reached <paramref name="expected"/> (the log is read as it comes), or after 5 s.</summary>
    public async Task<int> LoginsAsync(int expected)
    {
        for (var i = 0; i < 100 && AcceptedLogins < expected; i++)
        {
            await Task.Delay(50);
        }

        return AcceptedLogins;
    }

    /// <param name="authorizedKeysDirectory">Holds one authorized_keys file per user name.</param>
    /// <param name="hostKeyDirectory">Reuse the host key made by an earlier server (same identity), or null for a new one.</param>
    /// <param name="logLevel">sshd's LogLevel (DEBUG2 logs each channel's messages, such as "channel 0: rcvd eof").</param>
    public static SshdServer Start(
        string authorizedKeysDirectory,
        string address = "127.0.0.1",
        int? port = null,
        string? networkNamespace = null,
        string? hostKeyDirectory = null,
        string? extraConfig = null,
        string logLevel = "VERBOSE")
    {
        var directory = System.IO.Directory.CreateTempSubdirectory("bootstrap-sshd-").FullName;
        var hostKey = Path.Combine(directory, "host_key");
        if (hostKeyDirectory is null)
        {
            Proc.Run("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "test-host", "-f", hostKey);
        }
        else
        {
            File.Copy(Path.Combine(hostKeyDirectory, "host_key"), hostKey);
            File.Copy(Path.Combine(hostKeyDirectory, "host_key.pub"), hostKey + ".pub");
            File.SetUnixFileMode(hostKey, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }

        // sshd refuses to start without its privilege separation directory.
        System.IO.Directory.CreateDirectory("/run/sshd");
        var config = Path.Combine(directory, "sshd_config");
        File.WriteAllText(config, $$"""
            ListenAddress {{address}}
            HostKey {{hostKey}}
            PidFile {{Path.Combine(directory, "sshd.pid")}}
            AuthorizedKeysFile {{authorizedKeysDirectory}}/%u
            StrictModes no
            UsePAM no
            PermitRootLogin yes
            PubkeyAuthentication yes
            PasswordAuthentication yes
            KbdInteractiveAuthentication no
            AllowTcpForwarding yes
            MaxStartups 100:30:200
            MaxSessions 50
            LogLevel {{logLevel}}
            {{extraConfig ?? "Subsystem sftp internal-sftp"}}

            """);

        for (var attempt = 0; ; attempt++)
        {
            var chosen = port ?? FreePort();
            string[] sshd = ["/usr/sbin/sshd", "-D", "-e", "-f", config, "-p", chosen.ToString(System.Globalization.CultureInfo.InvariantCulture)];
            var start = networkNamespace is null
                ? new ProcessStartInfo(sshd[0])
                : new ProcessStartInfo("ip") { ArgumentList = { "netns", "exec", networkNamespace } };
            foreach (var arg in networkNamespace is null ? sshd[1..] : sshd)
            {
                start.ArgumentList.Add(arg);
            }

            start.RedirectStandardError = true;
            start.RedirectStandardOutput = true;
            var process = Process.Start(start)!;
            var log = new System.Text.StringBuilder();
            process.ErrorDataReceived += (_, e) =>
            {
                lock (log)
                {
                    log.AppendLine(e.Data);
                }
            };
            process.BeginErrorReadLine();
            process.BeginOutputReadLine();
            if (WaitUntilListening(process, address, chosen, networkNamespace))
            {
                return new SshdServer(directory, address, chosen, process, log);
            }

            process.Kill();
            process.WaitForExit();
            if (port is not null || attempt >= 3)
            {
                lock (log)
                {
                    throw new InvalidOperationException($"sshd on {address}:{chosen} did not start: {log}");
                }
            }
        }
    }

    /// <summary>
    /// Stops (SIGSTOP) or continues (SIGCONT) this sshd and every process it started (the per-connection
    /// sshd processes, sftp): a host that stops answering while its kernel still holds the connections.
    /// </summary>
    public void Freeze(bool frozen)
    {
        var pids = Descendants(_process.Id).Prepend(_process.Id).Select(p => p.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Proc.TryRun("kill", null, [frozen ? "-STOP" : "-CONT", .. pids]);
    }

    public void Dispose()
    {
        // Stopped session processes would never see their connections close.
        Freeze(false);
        foreach (var child in Descendants(_process.Id))
        {
            Proc.TryRun("kill", null, "-KILL", child.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        if (!_process.HasExited)
        {
            _process.Kill();
            _process.WaitForExit();
        }

        _process.Dispose();
        System.IO.Directory.Delete(Directory, recursive: true);
    }

    private static List<int> Descendants(int root)
    {
        var parents = new Dictionary<int, List<int>>();
        foreach (var dir in System.IO.Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid))
            {
                continue;
            }

            try
            {
                // /proc/PID/stat: "pid (comm) state ppid ..."; comm may hold spaces, so read after the last ')'.
                var stat = File.ReadAllText(Path.Combine(dir, "stat"));
                var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                var ppid = int.Parse(fields[1], System.Globalization.CultureInfo.InvariantCulture);
                if (!parents.TryGetValue(ppid, out var children))
                {
                    parents[ppid] = children = [];
                }

                children.Add(pid);
            }
            catch (IOException)
            {
                // The process ended meanwhile.
            }
        }

        var result = new List<int>();
        var queue = new Queue<int>([root]);
        while (queue.TryDequeue(out var pid))
        {
            foreach (var child in parents.GetValueOrDefault(pid) ?? [])
            {
                result.Add(child);
                queue.Enqueue(child);
            }
        }

        return result;
    }

    /// <summary>A TCP port nothing listens on at 127.0.0.1 now.</summary>
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static bool WaitUntilListening(Process process, string address, int port, string? networkNamespace)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (DateTime.UtcNow < deadline)
        {
            if (process.HasExited)
            {
                return false;
            }

            if (networkNamespace is null ? CanConnect(address, port) : ListeningInNamespace(networkNamespace, port))
            {
                return true;
            }

            Thread.Sleep(20);
        }

        return false;
    }

    private static bool CanConnect(string address, int port)
    {
        try
        {
            using var client = new TcpClient();
            client.Connect(address, port);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    private static bool ListeningInNamespace(string networkNamespace, int port) =>
        Proc.TryRun("ip", null, "netns", "exec", networkNamespace, "ss", "-Hltn", $"sport = :{port}").Stdout.Trim().Length > 0;
}
