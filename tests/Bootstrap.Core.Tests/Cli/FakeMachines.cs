using System.Globalization;
using Bootstrap.Core.Config;
using Bootstrap.Core.Remote;
using Bootstrap.Core.Tests.Remote;
using Bootstrap.Core.Tests.Workflow;
using Bootstrap.Core.Workflow;

namespace Bootstrap.Core.Tests.Cli;

/// <summary>
/// Connects to in-memory hosts that answer preflight's read-only commands like a healthy Debian machine, one by
/// one or batched into one session (<see cref="BatchedAnswers"/>).
/// </summary>
internal sealed class FakeMachines : IHostConnector
{
    private static readonly string[] Binaries =
        ["systemctl", "containerd", "runc", "iptables", "conntrack", "ip", "mount", "nsenter", "touch", "sysctl", "socat", "ebtables", "ethtool", "tc", "haproxy", "keepalived", "curl"];

    /// <summary>Extra listening ports per host name.</summary>
    public Dictionary<string, int[]> Listening { get; } = new(StringComparer.Ordinal);

    /// <summary>Programs missing on a host, by host name: running one exits 127, the way a shell says so.</summary>
    public Dictionary<string, string[]> NotInstalled { get; } = new(StringComparer.Ordinal);

    /// <summary>Hosts whose connection fails, with the message.</summary>
    public Dictionary<string, string> Unreachable { get; } = new(StringComparer.Ordinal);

    /// <summary>Who holds the cluster's run lease on every host (another workstation's run); free when null.</summary>
    public string? LeaseHeldBy { get; set; }

    /// <summary>The run-lease commands the hosts got, as "acquire HOST" or "release HOST", in order.</summary>
    public List<string> LeaseCommands { get; } = [];

    /// <summary>The hosts connected to, in the order the connections were asked for.</summary>
    public List<string> Connected { get; } = [];

    public Task<IRemoteHost> ConnectAsync(HostSpec host, CancellationToken cancellationToken)
    {
        lock (Connected)
        {
            Connected.Add(host.Name);
        }

        if (Unreachable.TryGetValue(host.Name, out var message))
        {
            throw new IOException($"{host.Name}: {message}");
        }

        return Task.FromResult<IRemoteHost>(new FakeHost(host.Name, command => Answer(host.Name, command)));
    }

    /// <summary>What the host named <paramref name="name"/> answers to <paramref name="command"/>.</summary>
    public CommandResult Answer(string name, RemoteCommand command) =>
        Answer(name, WorkflowFixtures.LabConfig.Hosts.ToList().FindIndex(h => h.Name == name), command);

    private CommandResult Answer(string name, int index, RemoteCommand command)
    {
        if (BatchedAnswers.IsBatch(command))
        {
            return BatchedAnswers.Answer(command, one => Answer(name, index, one));
        }

        if (NotInstalled.TryGetValue(name, out var missing) && missing.Contains(command.Argv[0]))
        {
            return new CommandResult(127, string.Empty, $"sh: 1: {command.Argv[0]}: not found");
        }

        if (command.Argv is ["sh", "-c", var script, ..] && (script == ClusterRunLease.AcquireScript || script == ClusterRunLease.ReleaseScript))
        {
            var acquire = script == ClusterRunLease.AcquireScript;
            lock (LeaseCommands)
            {
                LeaseCommands.Add((acquire ? "acquire " : "release ") + name);
            }

            return acquire && LeaseHeldBy is { } holder ? new CommandResult(75, $"{4000 + index}\n{holder}\n", string.Empty) : new CommandResult(0, string.Empty, string.Empty);
        }

        if (FileReads.IsReadCommand(command.Argv))
        {
            return new CommandResult(0, FileReads.Format(command.Argv.Skip(4).Select(File)), string.Empty);
        }

        var argv = string.Join(' ', command.Argv);
        string? stdout = argv switch
        {
            "id -u" => "0\n",
            "date +%s%N" => (DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() * 1_000_000).ToString(CultureInfo.InvariantCulture) + "\n",
            "uname -n -m" => name + " x86_64\n",
            "nproc" => "2\n",
            "ip -o -4 addr show" => string.Empty,
            "ss -ltnpH" => string.Concat(new[] { 22 }.Concat(Listening.GetValueOrDefault(name, []))
                .Select(p => $"LISTEN 0 128 0.0.0.0:{p} 0.0.0.0:* users:((\"{(p == 22 ? "sshd" : "socat")}\",pid={1000 + p},fd=3))\n")),
            "ss -ltnH" => string.Concat(new[] { 22 }.Concat(Listening.GetValueOrDefault(name, [])).Select(p => $"LISTEN 0 128 0.0.0.0:{p} 0.0.0.0:*\n")),
            "test -d /proc/sys/net/bridge" => string.Empty,
            "test -d /sys/module/br_netfilter" => string.Empty,
            "cat /proc/sys/net/ipv4/ip_forward" => "1\n",
            "sysctl vm.overcommit_memory vm.panic_on_oom kernel.panic kernel.panic_on_oops kernel.keys.root_maxkeys kernel.keys.root_maxbytes" =>
                string.Concat(Bootstrap.Core.Kubernetes.KernelTunables.Required.Select(t => $"{t.Name} = {t.Value}\n")),
            "test -w /proc/sys/vm/overcommit_memory" => string.Empty,
            "systemd-analyze cat-config sysctl.d" => "# /usr/lib/sysctl.d/50-pid-max.conf\nkernel.pid_max = 4194304\n",
            "ip -o link show" => $"2: eth0@if5: <UP> mtu 1500\\    link/ether 5a:00:00:00:00:{index:x2} brd ff:ff:ff:ff:ff:ff\n",
            _ when argv.StartsWith("sh -c ", StringComparison.Ordinal) =>
                string.Concat(command.Argv.Skip(4).Where(Binaries.Contains).Select(b => "/usr/bin/" + b + "\n")),
            _ => null,
        };
        return stdout is null
            ? new CommandResult(1, string.Empty, $"sh: 1: {command.Argv[0]}: not answered by this fake")
            : new CommandResult(0, stdout, string.Empty);
    }

    /// <summary>The small files a healthy Debian machine has (null: missing, like a container's DMI table).</summary>
    private static string? File(string path) => path switch
    {
        "/etc/os-release" => "ID=debian\nVERSION_ID=\"12\"\n",
        "/proc/1/comm" => "systemd\n",
        "/proc/meminfo" => "MemTotal:        4028440 kB\n",
        "/proc/swaps" => "Filename\tType\tSize\tUsed\tPriority\n",
        _ => null,
    };
}
