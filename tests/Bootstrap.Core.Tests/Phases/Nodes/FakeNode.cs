using System.Security.Cryptography;
using System.Text;
using Bootstrap.Core.Images;
using Bootstrap.Core.Kubernetes;
using Bootstrap.Core.Remote;

namespace Bootstrap.Core.Tests.Phases.Nodes;

/// <summary>
/// A node as the pod-network and images phases read it: files (path → content, root 0644), units, containerd's images,
/// Bootstrap's routes and whether the masquerade rule is there. Answers only reading commands; records every command.
/// </summary>
internal sealed class FakeNode(string name)
{
    public string Name { get; } = name;

    public Dictionary<string, string> Files { get; } = new(StringComparer.Ordinal);

    /// <summary>Unit → (ActiveState, UnitFileState).</summary>
    public Dictionary<string, (string Active, string File)> Units { get; } = new(StringComparer.Ordinal);

    /// <summary>The output of <c>ctr images list</c>; null while containerd does not answer.</summary>
    public string? Images { get; set; } = "REF TYPE DIGEST SIZE PLATFORMS LABELS\n";

    /// <summary>The output of <c>ip -j route show proto 158</c>.</summary>
    public string Routes { get; set; } = "[]";

    public bool Masquerading { get; set; }

    /// <summary>The output of <c>ip -j addr show dev cni0</c>; null while there is no bridge.</summary>
    public string? Bridge { get; set; }

    /// <summary>containerd's content store: digest → blob (manifests).</summary>
    public Dictionary<string, string> Content { get; } = new(StringComparer.Ordinal);

    public List<string> Commands { get; } = [];

    public Workflow.FakeHost Host() => new(Name, Answer);

    private CommandResult Answer(RemoteCommand command)
    {
        var argv = command.Argv.ToArray();
        lock (Commands)
        {
            Commands.Add(string.Join(' ', argv));
        }

        // The probe of files: stat (a regular 0644 file of root's), then the marker and no manifest of installed files.
        if (argv is ["sh", "-c", _, "probe", FileStat.Format, _, .. var paths])
        {
            var known = paths.Where(Files.ContainsKey).ToList();
            return new CommandResult(
                known.Count == paths.Length ? 0 : 1,
                string.Concat(known.Select(p => $"81a4 root root {Files[p].Length} 100.000000000 100.000000000 {Array.IndexOf(paths, p) + 1} 1 {p}\n")) + RemoteFileProbe.ManifestMarker + "\n",
                string.Concat(paths.Except(known).Select(p => $"stat: cannot statx '{p}': No such file or directory\n")));
        }

        if (argv is ["sh", "-c", _, "sha256", .. var hashed])
        {
            return Ok(string.Concat(hashed.Select(p => $"{Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(Files[p])))} *{p}\n")));
        }

        if (argv is ["systemctl", "show", ..])
        {
            return Ok(Install.SystemctlShow.Print(argv, unit =>
            {
                var (active, file) = Units.GetValueOrDefault(unit, ("inactive", string.Empty));
                return $"ActiveState={active}\nActiveEnterTimestamp={(active == "active" ? "@4102444800" : string.Empty)}\nUnitFileState={file}\nNeedDaemonReload=no\nInvocationID=1\nNRestarts=0\n";
            }));
        }

        if (argv is ["stat", "-c", "%Y %n", "--", .. var inputs])
        {
            return Ok(string.Concat(inputs.Where(Files.ContainsKey).Select(p => $"100 {p}\n")));
        }

        if (argv.SequenceEqual(ContainerdImages.List().Argv))
        {
            return Images is null ? new CommandResult(1, string.Empty, "ctr: failed to dial \"/run/containerd/containerd.sock\": connection refused") : Ok(Images);
        }

        if (argv is ["ctr", "--namespace", "k8s.io", "content", "get", var digest])
        {
            return Content.TryGetValue(digest, out var blob) ? Ok(blob) : new CommandResult(1, string.Empty, $"ctr: content digest {digest}: not found");
        }

        if (argv is [PodNetworkCommands.Ip, "-j", _, "route", "show", "proto", _])
        {
            return Ok(Routes);
        }

        if (argv is [PodNetworkCommands.Ip, "-j", "addr", "show", "dev", "cni0"])
        {
            return Bridge is null ? new CommandResult(1, string.Empty, "Device \"cni0\" does not exist.") : Ok(Bridge);
        }

        if (argv is [_, "-w", "-t", "nat", "-C", ..])
        {
            return Masquerading ? Ok(string.Empty) : new CommandResult(1, string.Empty, "iptables: Bad rule (does a matching rule exist in that chain?).");
        }

        return new CommandResult(127, string.Empty, "not faked: " + command.ToShellString());
    }

    private static CommandResult Ok(string stdout) => new(0, stdout, string.Empty);
}
