using System.Text.Json;
using Bootstrap.Core.Remote;

namespace Bootstrap.Core.Tests.Phases.Etcd;

/// <summary>
/// Etcd hosts that answer Bootstrap's reading commands the way real ones do (shapes from etcdctl 3.4's JSON): each
/// host with or without a data directory and a unit, its etcd healthy or not, and the members the cluster lists.
/// Every command asked is recorded, per host.
/// </summary>
internal sealed class FakeEtcd
{
    public Dictionary<string, bool> Data { get; } = new(StringComparer.Ordinal);

    public Dictionary<string, string> Units { get; } = new(StringComparer.Ordinal);

    /// <summary>Hosts where a device stands in the unit's place: the small-file read refuses it (exit 2), as on a host.</summary>
    public HashSet<string> DeviceUnits { get; } = new(StringComparer.Ordinal);

    public HashSet<string> Healthy { get; } = new(StringComparer.Ordinal);

    public Dictionary<string, string> Active { get; } = new(StringComparer.Ordinal);

    /// <summary>The members: name, id, address; a learner flag; started (has client URLs).</summary>
    public List<(string Name, ulong Id, string Address, bool Learner, bool Started)> Members { get; } = [];

    public ulong Leader { get; set; }

    public List<(string Host, string Command)> Asked { get; } = [];

    public IRemoteHost Host(string name) => new Workflow.FakeHost(name, command => Answer(name, command));

    private CommandResult Answer(string host, RemoteCommand command)
    {
        var argv = command.Argv;
        var text = string.Join(' ', argv);
        lock (Asked)
        {
            Asked.Add((host, text));
        }

        if (text == "env LC_ALL=C stat -c %F -- /var/lib/etcd/member")
        {
            return Data.GetValueOrDefault(host) ? Ok("directory\n") : Missing("/var/lib/etcd/member");
        }

        if (argv.SequenceEqual(RemoteFileRead.Command("/etc/systemd/system/etcd.service").Argv) && command.Sudo)
        {
            return DeviceUnits.Contains(host)
                ? new CommandResult(2, string.Empty, $"/etc/systemd/system/etcd.service {RemoteFileRead.NotRegular}\n")
                : Units.TryGetValue(host, out var unit) ? Ok(unit) : Missing("/etc/systemd/system/etcd.service");
        }

        if (argv[0] == "systemctl" && argv[1] == "show")
        {
            // etcd's unit as the host's data says; the others of a control plane run.
            var state = Active.GetValueOrDefault(host, Data.GetValueOrDefault(host) ? "active" : "inactive");
            return Ok(Install.SystemctlShow.Print(argv, unit =>
                $"ActiveState={(unit == "etcd.service" ? state : "active")}\nActiveEnterTimestamp=@1700000000\nUnitFileState=enabled\nNeedDaemonReload=no\nInvocationID=abc\nNRestarts=0\n"));
        }

        if (argv[0] == "test")
        {
            return Data.GetValueOrDefault(host) ? Ok(string.Empty) : new CommandResult(1, string.Empty, string.Empty);
        }

        if (!argv[0].EndsWith("etcdctl", StringComparison.Ordinal))
        {
            return new CommandResult(127, string.Empty, "not faked: " + text);
        }

        var endpoints = argv.First(a => a.StartsWith("--endpoints=", StringComparison.Ordinal))["--endpoints=".Length..].Split(',');
        var json = argv.Contains("json");
        if (text.EndsWith("member list", StringComparison.Ordinal))
        {
            return Ok(JsonSerializer.Serialize(new { members = Members.Select(Member) }));
        }

        if (text.EndsWith("endpoint health", StringComparison.Ordinal))
        {
            if (!json)
            {
                return Healthy.Contains(host) ? Ok("healthy") : new CommandResult(1, string.Empty, "Error: unhealthy cluster");
            }

            var answers = endpoints.Select(e => (Endpoint: e, Member: Members.FirstOrDefault(m => Client(m.Address) == e))).ToList();
            var healthy = answers.Select(a => new { endpoint = a.Endpoint, health = a.Member.Name is { } n && Healthy.Contains(n), took = "1ms", error = a.Member.Name is { } m && Healthy.Contains(m) ? null : "context deadline exceeded" });
            return new CommandResult(healthy.All(h => h.health) ? 0 : 1, JsonSerializer.Serialize(healthy), string.Empty);
        }

        if (text.EndsWith("endpoint status", StringComparison.Ordinal))
        {
            var up = Members.Where(m => endpoints.Contains(Client(m.Address)) && Healthy.Contains(m.Name));
            return Ok(JsonSerializer.Serialize(up.Select(m => new
            {
                Endpoint = Client(m.Address),
                Status = new { header = new { cluster_id = 42UL, member_id = m.Id, revision = 7, raft_term = 2 }, version = "3.4.23", dbSize = 20480, leader = Leader, raftIndex = 9, raftTerm = 2, raftAppliedIndex = 9, dbSizeInUse = 16384 },
            })));
        }

        if (argv.Contains("add"))
        {
            return Ok(JsonSerializer.Serialize(new { member = new { ID = 99UL, peerURLs = new[] { argv.First(a => a.StartsWith("--peer-urls=", StringComparison.Ordinal))[12..] }, isLearner = true }, members = Members.Select(Member) }));
        }

        return Ok(string.Empty);
    }

    /// <summary>As etcdctl prints one: no name before it started, no client URLs before it published them, isLearner only when true.</summary>
    private static Dictionary<string, object> Member((string Name, ulong Id, string Address, bool Learner, bool Started) m)
    {
        var member = new Dictionary<string, object> { ["ID"] = m.Id, ["peerURLs"] = new[] { $"https://{m.Address}:2380" } };
        if (m.Started || !m.Learner)
        {
            member["name"] = m.Name;
        }

        if (m.Started)
        {
            member["clientURLs"] = new[] { Client(m.Address) };
        }

        if (m.Learner)
        {
            member["isLearner"] = true;
        }

        return member;
    }

    private static string Client(string address) => $"https://{address}:2379";

    private static CommandResult Ok(string stdout) => new(0, stdout, string.Empty);

    private static CommandResult Missing(string path) => new(1, string.Empty, $"stat: cannot statx '{path}': No such file or directory");
}
