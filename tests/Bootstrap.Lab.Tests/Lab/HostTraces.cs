namespace Bootstrap.Lab.Tests.Lab;

/// <summary>
/// Everything of the lab visible on the test host: network namespaces, links, mounts, nspawn
/// processes and cgroups. Read from the kernel's own views (/run/netns, /sys/class/net,
/// /proc), not from the lab script's bookkeeping.
/// </summary>
internal sealed record HostTraces(
    IReadOnlyList<string> Namespaces,
    IReadOnlyList<string> Links,
    IReadOnlyList<string> Mounts,
    IReadOnlyList<int> NspawnPids,
    IReadOnlyList<string> Cgroups)
{
    public bool IsEmpty => Namespaces.Count + Links.Count + Mounts.Count + NspawnPids.Count + Cgroups.Count == 0;

    public static HostTraces Read(LabPaths paths)
    {
        var namespaces = Directory.Exists("/run/netns")
            ? Directory.GetFiles("/run/netns").Select(Path.GetFileName).OfType<string>().Where(n => n.StartsWith("lab-", StringComparison.Ordinal)).Order().ToList()
            : [];
        var links = Directory.GetFileSystemEntries("/sys/class/net").Select(Path.GetFileName).OfType<string>()
            .Where(n => n.StartsWith("vlab-", StringComparison.Ordinal) || n == "labbr0").Order().ToList();
        var mounts = File.ReadAllLines("/proc/self/mounts").Select(l => l.Split(' ')[1])
            .Where(m => m.StartsWith(paths.Run + "/", StringComparison.Ordinal)).Order().ToList();
        var pids = new List<int>();
        foreach (var dir in Directory.GetDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid))
            {
                continue;
            }

            try
            {
                var cmdline = File.ReadAllText(Path.Combine(dir, "cmdline")).Replace('\0', ' ');
                if (cmdline.StartsWith("systemd-nspawn ", StringComparison.Ordinal) && cmdline.Contains(paths.Run, StringComparison.Ordinal))
                {
                    pids.Add(pid);
                }
            }
            catch (IOException)
            {
                // The process ended while we looked.
            }
            catch (UnauthorizedAccessException)
            {
            }
        }

        var cgroups = Directory.GetDirectories("/sys/fs/cgroup")
            .Select(c => Path.Combine(c, "bootstrap-lab")).Where(Directory.Exists).Order().ToList();
        pids.Sort();
        return new HostTraces(namespaces, links, mounts, pids, cgroups);
    }

    public override string ToString() =>
        $"namespaces [{string.Join(' ', Namespaces)}], links [{string.Join(' ', Links)}], mounts [{string.Join(' ', Mounts)}], " +
        $"nspawn pids [{string.Join(' ', NspawnPids)}], cgroups [{string.Join(' ', Cgroups)}]";
}
