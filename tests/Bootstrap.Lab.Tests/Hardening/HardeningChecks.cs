using System.Globalization;
using System.Text.Json;
using Bootstrap.Lab.Tests.Init;
using Bootstrap.Lab.Tests.Lab;
using static Bootstrap.Lab.Tests.Init.LabInspection;

namespace Bootstrap.Lab.Tests.Hardening;

/// <summary>
/// Issue 17 on a running lab cluster, checked the way kube-bench checks a host (the live processes' command lines,
/// stat of the files, the kubelet's own configuration) and the way an attacker would try it: the CIS items Bootstrap
/// closes (4.2.6 protectKernelDefaults, 1.1.19 PKI owned by root, 1.2.5 kubelet serving certificates verified),
/// node-bound join credentials against a forged request, and a VIP holder without a ready API server yielding.
/// Steps of <see cref="InitLabTests"/> on its cluster (one lab boot and init serve both).
/// </summary>
internal static class HardeningChecks
{
    // Written out here rather than taken from Bootstrap's code, so the test checks the facts, not the code against itself.
    private const string DropIn = "/etc/sysctl.d/90-bootstrap-kubelet.conf";
    private const string NodeTokenGroup = "system:bootstrappers:bootstrap:nodes";
    private const string KubeadmTokenGroup = "system:bootstrappers:kubeadm:default-node-token";
    private const string ClientSigner = "kubernetes.io/kube-apiserver-client-kubelet";

    private static readonly string[] Nodes = ["cp1", "cp2", "cp3", "w1", "w2"];

    // What the v1.20.2 kubelet checks with protectKernelDefaults (pkg/kubelet/cm/container_manager_linux.go).
    private static readonly (string Name, string Value)[] KernelSettings =
    [
        ("vm.overcommit_memory", "1"), ("vm.panic_on_oom", "0"), ("kernel.panic", "10"), ("kernel.panic_on_oops", "1"),
        ("kernel.keys.root_maxkeys", "1000000"), ("kernel.keys.root_maxbytes", "25000000"),
    ];

    /// <summary>Every issue-17 check, in order, on the installed cluster; it leaves the cluster as it found it.</summary>
    public static async Task OnTheInstalledClusterAsync(LabPaths paths, LabClusterFile cluster)
    {
        await KubeletsProtectKernelDefaultsOnAKernelPreparedByTheDropInAsync(paths, cluster);
        await EverythingUnderThePkiIsRootsAndEtcdRunsAsEtcdOnSystemdCredentialsAsync(paths);
        await ApiServersVerifyKubeletServingCertificatesWithTheClusterCaAsync(paths, cluster);
        await NodesJoinedWithNodeTokensApprovedByBootstrapNotTheControllerManagerAsync(paths, cluster);
        await AForgedRequestForCp1MadeWithW2sJoinTokenIsDeniedAsync(paths, cluster);
        await ANodeTokenNoJoinMintedIsNeverApprovedAndKubeadmTokensStillAreAsync(paths, cluster);
        await AVipHolderWhoseHaproxyReachesNoApiServerYieldsAsync(paths, cluster);
    }

    /// <summary>The host's kernel settings `up` saved before changing them (the machines share its kernel).</summary>
    public static Task<string[]> SavedSysctlsAsync(LabPaths paths) => File.ReadAllLinesAsync(Path.Combine(paths.Run, "sysctl.saved"));

    /// <summary>`down` gives the host back the kernel settings it had before `up`.</summary>
    public static async Task DownRestoredTheHostsSysctlsAsync(IReadOnlyList<string> saved)
    {
        foreach (var line in saved)
        {
            var (name, value) = (line.Split('=', 2)[0], line.Split('=', 2)[1]);
            var now = await LocalProcess.RunAsync("sysctl", ["-n", name], TimeSpan.FromSeconds(10));
            Assert.Equal(value, now.Stdout.Trim());
        }
    }

    // CIS 4.2.6: protectKernelDefaults in the file and in the running kubelet (its /configz, read through the API
    // server); the drop-in holds what the kubelet checks, and the kernel has it; preflight names nothing to fix.
    private static async Task KubeletsProtectKernelDefaultsOnAKernelPreparedByTheDropInAsync(LabPaths paths, LabClusterFile cluster)
    {
        foreach (var node in Nodes)
        {
            var machine = Machine(node);
            Assert.Contains("protectKernelDefaults: true", await LabMachines.RunOrFailAsync(paths, machine, "cat", "/var/lib/kubelet/config.yaml"), StringComparison.Ordinal);
            Assert.Equal("644 root:root", (await LabMachines.RunOrFailAsync(paths, machine, "stat", "-c", "%a %U:%G", DropIn)).Trim());
            var dropIn = await LabMachines.RunOrFailAsync(paths, machine, "cat", DropIn);
            var kernel = await LabMachines.RunOrFailAsync(paths, machine, ["sysctl", .. KernelSettings.Select(k => k.Name)]);
            foreach (var (name, value) in KernelSettings)
            {
                Assert.Contains($"\n{name} = {value}\n", dropIn, StringComparison.Ordinal);
                Assert.Contains($"{name} = {value}\n", kernel, StringComparison.Ordinal);
            }

            var configz = await KubectlAsync(paths, cluster.AdminKubeconfig, "get", "--raw", $"/api/v1/nodes/{node}/proxy/configz");
            Assert.True(configz.ExitCode == 0, $"{node}: {configz.Output}");
            Assert.True(JsonDocument.Parse(configz.Stdout).RootElement.GetProperty("kubeletconfig").GetProperty("protectKernelDefaults").GetBoolean(), $"{node}: {configz.Stdout}");
        }

        var preflight = await BootstrapProcess.RunAsync("preflight", "-f", cluster.Path);
        Assert.True(preflight.ExitCode == 0, preflight.Output);
        foreach (var node in Nodes)
        {
            Assert.Contains($"[OK KernelDefaults]: the kernel has what the kubelet requires", Section(preflight.Stdout, node), StringComparison.Ordinal);
        }
    }

    // CIS 1.1.19: `find /etc/kubernetes/pki | xargs stat -c %U:%G` is root:root everywhere; keys are 0600. etcd runs
    // as etcd with its key pairs from systemd's credentials directory, readable by it alone, and the cluster is healthy.
    private static async Task EverythingUnderThePkiIsRootsAndEtcdRunsAsEtcdOnSystemdCredentialsAsync(LabPaths paths)
    {
        foreach (var cp in ControlPlanes)
        {
            var machine = Machine(cp);
            var files = (await LabMachines.RunOrFailAsync(paths, machine, "find", "/etc/kubernetes/pki", "-printf", "%u:%g %m %p\n"))
                .Split('\n', StringSplitOptions.RemoveEmptyEntries);
            Assert.Contains(files, f => f.EndsWith("/etc/kubernetes/pki/etcd/server.key", StringComparison.Ordinal));
            Assert.All(files, f => Assert.StartsWith("root:root ", f, StringComparison.Ordinal));
            Assert.All(files.Where(f => f.EndsWith(".key", StringComparison.Ordinal)), f => Assert.StartsWith("root:root 600 ", f, StringComparison.Ordinal));

            var etcd = await CommandLineAsync(paths, cp, "etcd");
            Assert.Equal("etcd", (await LabMachines.RunOrFailAsync(paths, machine, "ps", "-o", "user=", "-p", etcd.Pid)).Trim());
            Assert.Contains("--key-file=/run/credentials/etcd.service/server.key", etcd.Arguments);
            Assert.Contains("--peer-key-file=/run/credentials/etcd.service/peer.key", etcd.Arguments);
            foreach (var key in new[] { "/run/credentials/etcd.service/server.key", "/run/credentials/etcd.service/peer.key" })
            {
                // systemd gives the service's user read access (by ACL, or by owner where ACLs are not supported).
                Assert.True((await LabMachines.RunAsync(paths, machine, "runuser", "-u", "etcd", "--", "test", "-r", key)).Succeeded, $"{cp}: etcd cannot read {key}");
                Assert.False((await LabMachines.RunAsync(paths, machine, "runuser", "-u", "nobody", "--", "test", "-r", key)).Succeeded, $"{cp}: nobody can read {key}");
            }
        }

        var health = await LabMachines.RunAsync(paths, Machine("cp1"),
            "/usr/local/bin/etcdctl", "--endpoints=https://192.168.56.21:2379", "--cacert=/etc/kubernetes/pki/etcd/ca.crt",
            "--cert=/etc/kubernetes/pki/etcd/healthcheck-client.crt", "--key=/etc/kubernetes/pki/etcd/healthcheck-client.key",
            "--dial-timeout=3s", "--command-timeout=5s", "endpoint", "health", "--cluster");
        Assert.True(health.Succeeded, health.Stdout + health.Stderr);
        Assert.Equal(3, (health.Stdout + health.Stderr).Split('\n').Count(l => l.Contains("is healthy", StringComparison.Ordinal)));
    }

    // CIS 1.2.5: every API server runs with --kubelet-certificate-authority, and still reaches every kubelet (node proxy
    // uses the same CA-verified kubelet connection as logs, exec and port-forward).
    private static async Task ApiServersVerifyKubeletServingCertificatesWithTheClusterCaAsync(LabPaths paths, LabClusterFile cluster)
    {
        foreach (var cp in ControlPlanes)
        {
            Assert.Contains("--kubelet-certificate-authority=/etc/kubernetes/pki/ca.crt", (await CommandLineAsync(paths, cp, "kube-apiserver")).Arguments);
        }

        foreach (var node in Nodes)
        {
            foreach (var cp in ControlPlanes)
            {
                var healthz = await KubectlAsync(paths, cluster.AdminKubeconfig, "--server", $"https://{Machine(cp).Address}:6443", "get", "--raw", $"/api/v1/nodes/{node}/proxy/healthz");
                Assert.True(healthz.ExitCode == 0 && healthz.Stdout.Trim() == "ok", $"{cp} -> kubelet on {node}: {healthz.Output}");
            }
        }
    }

    // Every node's client certificate came from a CSR made with a node token (Bootstrap's group) and approved by
    // Bootstrap, not auto-approved by the controller manager.
    private static async Task NodesJoinedWithNodeTokensApprovedByBootstrapNotTheControllerManagerAsync(LabPaths paths, LabClusterFile cluster)
    {
        var clients = (await CsrsAsync(paths, cluster))
            .Where(c => c.GetProperty("spec").GetProperty("signerName").GetString() == ClientSigner)
            .ToList();
        Assert.Equal(Nodes.Length, clients.Count);
        Assert.All(clients, c =>
        {
            Assert.Contains(NodeTokenGroup, c.GetProperty("spec").GetProperty("groups").EnumerateArray().Select(g => g.GetString()));
            var condition = Assert.Single(c.GetProperty("status").GetProperty("conditions").EnumerateArray());
            Assert.Equal(("Approved", "BootstrapApproved"), (condition.GetProperty("type").GetString(), condition.GetProperty("reason").GetString()));
        });
    }

    // The escalation issue 17 closes: root on w2 deletes kubelet.conf, takes the token of the next join from
    // bootstrap-kubelet.conf and asks for a client certificate as cp1. The join denies it (or kubelet-client-csr
    // does, if it came in after the last look); w2 joins again as itself.
    private static async Task AForgedRequestForCp1MadeWithW2sJoinTokenIsDeniedAsync(LabPaths paths, LabClusterFile cluster)
    {
        var w2 = Machine("w2");
        await LabMachines.RunOrFailAsync(paths, w2, "systemctl", "stop", "kubelet.service");
        await LabMachines.RunOrFailAsync(paths, w2, "sh", "-c", "rm -f /etc/kubernetes/kubelet.conf /var/lib/kubelet/pki/kubelet-client*");

        var join = BootstrapProcess.RunAsync("join", "-f", cluster.Path, "--host", "w2", "--output", "json");
        string? token = null;
        await using (var host = await LabMachines.ConnectAsync(paths, w2))
        {
            var found = await UntilAsync(TimeSpan.FromMinutes(3), async () =>
            {
                var read = await host.RunAsync(Core.Remote.RemoteCommand.Of("cat", "/etc/kubernetes/bootstrap-kubelet.conf"), CancellationToken.None);
                token = read.Succeeded ? read.Stdout.Split('\n').Select(l => l.Trim()).FirstOrDefault(l => l.StartsWith("token: ", StringComparison.Ordinal))?["token: ".Length..] : null;
                return token is not null || join.IsCompleted;
            }, TimeSpan.FromMilliseconds(200));
            Assert.True(found is not null && token is not null, "w2's join never wrote a bootstrap token to steal");
        }

        var forged = await PostNodeClientCsrAsync(paths, cluster, token!, "system:node:cp1");
        var joined = await join;
        Assert.True(joined.ExitCode == 0, joined.Output);
        Assert.True(forged.Posted, "the join finished before the forged request could be posted: " + forged.Error);
        var (type, message) = await ConditionAsync(paths, cluster, forged.Name);
        Assert.Equal("Denied", type);
        Assert.Contains("subject CN is [system:node:cp1], expected system:node:w2", message, StringComparison.Ordinal);
        Assert.Contains($"was minted for w2", message, StringComparison.Ordinal);

        var ready = await UntilAsync(TimeSpan.FromMinutes(2), async () =>
            (await KubectlAsync(paths, cluster.AdminKubeconfig, "get", "node", "w2", "-o", "jsonpath={.status.conditions[?(@.type==\"Ready\")].status}")).Stdout.Trim() == "True",
            TimeSpan.FromSeconds(2));
        Assert.True(ready is not null, "w2 is not Ready after joining again");
        Assert.Contains("kubelet-client-csr", joined.Stdout, StringComparison.Ordinal);
    }

    // A token in Bootstrap's group that no join minted (made here as kubelet-start makes them): the controller manager
    // leaves its request pending, and kubelet-client-csr denies it. A kubeadm token's request is still auto-approved.
    private static async Task ANodeTokenNoJoinMintedIsNeverApprovedAndKubeadmTokensStillAreAsync(LabPaths paths, LabClusterFile cluster)
    {
        var token = await CreateTokenAsync(paths, cluster, NodeTokenGroup);
        var forged = await PostNodeClientCsrAsync(paths, cluster, token, "system:node:cp1");
        Assert.True(forged.Posted, forged.Error);
        await Task.Delay(TimeSpan.FromSeconds(10));
        Assert.Equal("Pending", (await ConditionAsync(paths, cluster, forged.Name)).Type);

        var decided = await BootstrapProcess.RunAsync("init", "phase", "kubelet-client-csr", "-f", cluster.Path);
        Assert.True(decided.ExitCode == 0, decided.Output);
        var (type, message) = await ConditionAsync(paths, cluster, forged.Name);
        Assert.Equal("Denied", type);
        Assert.Contains("which no join of this run minted", message, StringComparison.Ordinal);

        var kubeadm = await CreateTokenAsync(paths, cluster, KubeadmTokenGroup);
        var ghost = await PostNodeClientCsrAsync(paths, cluster, kubeadm, "system:node:ghost");
        Assert.True(ghost.Posted, ghost.Error);
        var approved = await UntilAsync(TimeSpan.FromSeconds(60), async () => (await ConditionAsync(paths, cluster, ghost.Name)).Type == "Approved", TimeSpan.FromSeconds(2));
        Assert.True(approved is not null, "the controller manager did not approve a kubeadm token's node client request");
        await KubectlAsync(paths, cluster.AdminKubeconfig, "delete", "csr", ghost.Name);
    }

    // The holder (lb1) whose haproxy reaches no API server (its own connections to 6443 refused) drops below lb2,
    // which takes the VIP while the API answers through it; once lb1's haproxy reaches them again, lb1 takes it back.
    private static async Task AVipHolderWhoseHaproxyReachesNoApiServerYieldsAsync(LabPaths paths, LabClusterFile cluster)
    {
        foreach (var lb in LoadBalancers)
        {
            var code = await LabMachines.RunOrFailAsync(paths, Machine(lb), "curl", "--silent", "--output", "/dev/null", "--write-out", "%{http_code}", "http://127.0.0.1:8404/apiserver-backends");
            Assert.Equal("200", code);
            var journal = await LabMachines.RunOrFailAsync(paths, Machine(lb), "journalctl", "--no-pager", "-u", "keepalived.service");
            Assert.Contains("VRRP_Script(apiserver_backends) succeeded", journal, StringComparison.Ordinal);
        }

        Assert.Equal("lb1", await VipHolderAsync(paths));
        string[] block = ["-p", "tcp", "-d", "192.168.56.21,192.168.56.22,192.168.56.23", "--dport", "6443", "-j", "REJECT"];
        await LabMachines.RunOrFailAsync(paths, Machine("lb1"), ["iptables", "-I", "OUTPUT", .. block]);
        try
        {
            var moved = await UntilAsync(TimeSpan.FromSeconds(45), async () => await VipHolderAsync(paths, "lb2") == "lb2", TimeSpan.FromSeconds(1));
            Assert.True(moved is not null, "lb1 kept the VIP with no API server reachable from its haproxy");
            Assert.Null(await VipHolderAsync(paths, "lb1"));
            var readyz = await UntilAsync(TimeSpan.FromSeconds(15), async () =>
                (await KubectlAsync(paths, cluster.AdminKubeconfig, "get", "--raw", "/readyz")).Stdout.Trim() == "ok", TimeSpan.FromSeconds(1));
            Assert.True(readyz is not null, "the API did not answer through the VIP on lb2");
        }
        finally
        {
            await LabMachines.RunOrFailAsync(paths, Machine("lb1"), ["iptables", "-D", "OUTPUT", .. block]);
        }

        var back = await UntilAsync(TimeSpan.FromSeconds(45), async () => await VipHolderAsync(paths, "lb1") == "lb1", TimeSpan.FromSeconds(1));
        Assert.True(back is not null, "lb1 did not take the VIP back once its haproxy reached the API servers again");
    }

    private static string Section(string report, string host) =>
        string.Join('\n', report.Split('\n').SkipWhile(l => !l.TrimStart().StartsWith(host + ":", StringComparison.Ordinal)).Skip(1)
            .TakeWhile(l => l.StartsWith("    ", StringComparison.Ordinal)));

    /// <summary>The PID and argv of the one <paramref name="program"/> process on <paramref name="host"/>, read from /proc as kube-bench reads ps.</summary>
    private static async Task<(string Pid, string[] Arguments)> CommandLineAsync(LabPaths paths, string host, string program)
    {
        var pid = (await LabMachines.RunOrFailAsync(paths, Machine(host), "pgrep", "-x", program)).Trim();
        Assert.Matches("^[0-9]+$", pid);
        var cmdline = await LabMachines.RunOrFailAsync(paths, Machine(host), "cat", $"/proc/{pid}/cmdline");
        return (pid, cmdline.Split('\0', StringSplitOptions.RemoveEmptyEntries));
    }

    private static async Task<List<JsonElement>> CsrsAsync(LabPaths paths, LabClusterFile cluster)
    {
        var list = await KubectlAsync(paths, cluster.AdminKubeconfig, "get", "csr", "-o", "json");
        Assert.True(list.ExitCode == 0, list.Output);
        return [.. JsonDocument.Parse(list.Stdout).RootElement.GetProperty("items").EnumerateArray()];
    }

    /// <summary>The CSR's condition type (Pending when it has none) and message.</summary>
    private static async Task<(string Type, string Message)> ConditionAsync(LabPaths paths, LabClusterFile cluster, string name)
    {
        var csr = await KubectlAsync(paths, cluster.AdminKubeconfig, "get", "csr", name, "-o", "json");
        Assert.True(csr.ExitCode == 0, csr.Output);
        var status = JsonDocument.Parse(csr.Stdout).RootElement.GetProperty("status");
        if (!status.TryGetProperty("conditions", out var conditions) || conditions.GetArrayLength() == 0)
        {
            return ("Pending", string.Empty);
        }

        var condition = conditions[0];
        return (condition.GetProperty("type").GetString()!, condition.TryGetProperty("message", out var m) ? m.GetString() ?? string.Empty : string.Empty);
    }

    /// <summary>A bootstrap token Secret as kubelet-start makes one (15 minutes, authentication and signing) in <paramref name="group"/>.</summary>
    private static async Task<string> CreateTokenAsync(LabPaths paths, LabClusterFile cluster, string group)
    {
        var id = "t" + Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(3))[..5];
        var secret = Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(8));
        var expiration = DateTime.UtcNow.AddMinutes(15).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
        var created = await KubectlAsync(paths, cluster.AdminKubeconfig, "-n", "kube-system", "create", "secret", "generic", "bootstrap-token-" + id,
            "--type", "bootstrap.kubernetes.io/token", $"--from-literal=token-id={id}", $"--from-literal=token-secret={secret}",
            "--from-literal=usage-bootstrap-authentication=true", "--from-literal=usage-bootstrap-signing=true",
            $"--from-literal=auth-extra-groups={group}", $"--from-literal=expiration={expiration}", "--from-literal=description=issue 17 lab test");
        Assert.True(created.ExitCode == 0, created.Output);
        return $"{id}.{secret}";
    }

    /// <summary>Posts, authenticated only by <paramref name="token"/>, a node client CSR for <paramref name="commonName"/> (a new key made with openssl).</summary>
    private static async Task<(bool Posted, string Name, string Error)> PostNodeClientCsrAsync(LabPaths paths, LabClusterFile cluster, string token, string commonName)
    {
        var name = $"issue17-{commonName.Replace(':', '-')}-{Environment.TickCount64 % 100000}";
        var key = Path.Combine(cluster.Directory, name + ".key");
        var request = await LocalProcess.RunAsync("openssl",
            ["req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", key, "-subj", $"/O=system:nodes/CN={commonName}"],
            TimeSpan.FromSeconds(30));
        Assert.True(request.ExitCode == 0, request.Output);
        var manifest = Path.Combine(cluster.Directory, name + ".yaml");
        await File.WriteAllTextAsync(manifest, $"""
            apiVersion: certificates.k8s.io/v1
            kind: CertificateSigningRequest
            metadata:
              name: {name}
            spec:
              signerName: {ClientSigner}
              usages: ["digital signature", "key encipherment", "client auth"]
              request: {Convert.ToBase64String(System.Text.Encoding.ASCII.GetBytes(request.Stdout))}
            """);
        var kubeconfig = Path.Combine(cluster.Directory, name + ".kubeconfig");
        var ca = Convert.ToBase64String(await File.ReadAllBytesAsync(Path.Combine(cluster.State, "pki", "ca.crt")));
        await File.WriteAllTextAsync(kubeconfig, $"""
            apiVersion: v1
            kind: Config
            clusters:
            - name: lab
              cluster:
                server: https://{Vip}:6443
                certificate-authority-data: {ca}
            users:
            - name: token
              user:
                token: {token}
            contexts:
            - name: token
              context:
                cluster: lab
                user: token
            current-context: token
            """);
        var posted = await KubectlAsync(paths, kubeconfig, "create", "-f", manifest);
        return (posted.ExitCode == 0, name, posted.Output);
    }
}
