using System.Diagnostics;
using Bootstrap.Core.Pki;

namespace Bootstrap.Core.Tests.Pki;

/// <summary>
/// A real two-member etcd cluster on loopback, started by the test with the generated server
/// and peer certificates and client-cert-auth on both the client and the peer ports.
/// </summary>
[Trait("Requires", "etcd")]
public sealed class EtcdTlsTests : IDisposable
{
    // Debian's etcd-server and etcd-client; scripts/setup-host installs them. Absent, the test fails.
    private const string EtcdPath = "/usr/bin/etcd";
    private const string EtcdctlPath = "/usr/bin/etcdctl";

    private readonly TemporaryDirectory _directory = new();
    private readonly List<Process> _members = [];

    public void Dispose()
    {
        foreach (var member in _members)
        {
            if (!member.HasExited)
            {
                member.Kill(entireProcessTree: true);
                member.WaitForExit();
            }

            member.Dispose();
        }

        _directory.Dispose();
    }

    [Fact]
    public async Task Etcd_accepts_the_healthcheck_client_and_refuses_a_certificate_from_the_cluster_ca()
    {
        Assert.True(File.Exists(EtcdPath) && File.Exists(EtcdctlPath),
            $"{EtcdPath} and {EtcdctlPath} are required: scripts/setup-host installs Debian's etcd-server and etcd-client");
        var state = _directory.Combine("state");
        var request = PkiRequests.Single() with { EtcdMembers = [new("e1", "127.0.0.1"), new("e2", "127.0.0.1")] };
        await new PkiManager(TimeProvider.System).EnsureAsync(request, state, CancellationToken.None);
        var ports = LoopbackPorts.Free(4);
        var cluster = $"e1=https://127.0.0.1:{ports[1]},e2=https://127.0.0.1:{ports[3]}";
        StartMember(state, "e1", ports[0], ports[1], cluster);
        StartMember(state, "e2", ports[2], ports[3], cluster);
        var endpoints = $"https://127.0.0.1:{ports[0]},https://127.0.0.1:{ports[2]}";
        var etcdCa = Path.Combine(state, "pki", "etcd", "ca.crt");

        // endpoint health is a quorum read, so it also proves the members talk over peer TLS.
        var healthy = await EventuallyAsync(() => Etcdctl(endpoints, etcdCa, Path.Combine(state, "pki", "etcd", "healthcheck-client"), "endpoint", "health"));
        Assert.True(healthy.ExitCode == 0, healthy.Output);
        var put = Etcdctl(endpoints, etcdCa, Path.Combine(state, "pki", "apiserver-etcd-client"), "put", "/bootstrap/test", "ok");
        Assert.True(put.ExitCode == 0, put.Output);

        var refused = Etcdctl(endpoints, etcdCa, Path.Combine(state, "pki", "apiserver-kubelet-client"), "endpoint", "health");
        Assert.NotEqual(0, refused.ExitCode);
        Assert.Contains("unhealthy", refused.Output, StringComparison.Ordinal);
    }

    private void StartMember(string state, string name, int clientPort, int peerPort, string cluster)
    {
        var etcd = Path.Combine(state, "hosts", name, "pki", "etcd");
        var ca = Path.Combine(state, "pki", "etcd", "ca.crt");
        var start = new ProcessStartInfo(EtcdPath)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[]
        {
            "--name", name,
            "--data-dir", _directory.Combine("data-" + name),
            "--listen-client-urls", $"https://127.0.0.1:{clientPort}",
            "--advertise-client-urls", $"https://127.0.0.1:{clientPort}",
            "--listen-peer-urls", $"https://127.0.0.1:{peerPort}",
            "--initial-advertise-peer-urls", $"https://127.0.0.1:{peerPort}",
            "--initial-cluster", cluster,
            "--initial-cluster-state", "new",
            "--initial-cluster-token", "bootstrap-test",
            "--client-cert-auth", "--trusted-ca-file", ca,
            "--cert-file", Path.Combine(etcd, "server.crt"), "--key-file", Path.Combine(etcd, "server.key"),
            "--peer-client-cert-auth", "--peer-trusted-ca-file", ca,
            "--peer-cert-file", Path.Combine(etcd, "peer.crt"), "--peer-key-file", Path.Combine(etcd, "peer.key"),
        })
        {
            start.ArgumentList.Add(arg);
        }

        var process = Process.Start(start)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _members.Add(process);
    }

    private static (int ExitCode, string Output) Etcdctl(string endpoints, string ca, string credential, params string[] command)
    {
        var start = new ProcessStartInfo(EtcdctlPath)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            Environment = { ["ETCDCTL_API"] = "3" },
        };
        foreach (var arg in new[] { "--endpoints", endpoints, "--cacert", ca, "--cert", credential + ".crt", "--key", credential + ".key", "--command-timeout", "5s", "--dial-timeout", "3s" }.Concat(command))
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, stdout.Result + stderr);
    }

    private static async Task<(int ExitCode, string Output)> EventuallyAsync(Func<(int ExitCode, string Output)> attempt)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            var result = attempt();
            if (result.ExitCode == 0 || DateTime.UtcNow > deadline)
            {
                return result;
            }

            await Task.Delay(500);
        }
    }
}
