using System.Globalization;

namespace Bootstrap.Lab.Tests.Lab;

/// <summary>
/// Where a lab machine's processes sit in the host's cgroup hierarchies, read from /proc/PID/cgroup on the test
/// host. A machine is the processes of its pids cgroup (scripts/lab boots each in bootstrap-lab/NAME); like a real
/// machine, it must have trees of its own in every hierarchy, the name=systemd and unified ones included, where its
/// systemd tracks and kills its units' processes and its kubelet finds pod cgroups.
/// </summary>
internal static class MachineCgroups
{
    private const string Root = "/sys/fs/cgroup";

    /// <summary>Each process of <paramref name="machine"/> outside its own tree in some hierarchy, as "PID COMM: HIERARCHY:PATH".</summary>
    public static IReadOnlyList<string> Strays(string machine)
    {
        var own = $"/bootstrap-lab/{machine}";
        var strays = new List<string>();
        foreach (var pid in Pids(machine))
        {
            string[] lines;
            string comm;
            try
            {
                lines = File.ReadAllLines($"/proc/{pid}/cgroup");
                comm = File.ReadAllText($"/proc/{pid}/comm").Trim();
            }
            catch (IOException)
            {
                continue; // it ended while we looked
            }

            // The kernel shows a v1 hierarchy's path of an exiting process as "/" (an sshd whose session just ended):
            // it has left its cgroups, it did not stray. PF_EXITING never clears, so reading it after the paths is enough.
            if (IsExiting(pid))
            {
                continue;
            }

            // "ID:CONTROLLERS:PATH": v1 controllers, name=systemd, and "0::PATH" for the unified hierarchy.
            strays.AddRange(lines.Select(l => l.Split(':', 3)).Where(f => f.Length == 3)
                .Where(f => f[2] != own && !f[2].StartsWith(own + "/", StringComparison.Ordinal))
                .Select(f => $"{pid} {comm}: {(f[1].Length == 0 ? "unified" : f[1])}:{f[2]}"));
        }

        return strays;
    }

    /// <summary>Whether <paramref name="pid"/> has begun to exit (PF_EXITING in /proc/PID/stat's flags, or a zombie) or is gone.</summary>
    private static bool IsExiting(int pid)
    {
        string stat;
        try
        {
            stat = File.ReadAllText($"/proc/{pid}/stat");
        }
        catch (IOException)
        {
            return true;
        }

        // "PID (COMM) STATE PPID PGRP SESSION TTY TPGID FLAGS ...": COMM may hold spaces and parentheses, so count from the last ')'.
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        const uint pfExiting = 0x4;
        return fields[0] is "Z" or "X" || (uint.Parse(fields[6], CultureInfo.InvariantCulture) & pfExiting) != 0;
    }

    /// <summary>The hierarchies in which a tree of <paramref name="machine"/> is left (a powered-off machine has none).</summary>
    public static IReadOnlyList<string> Trees(string machine) =>
        Directory.GetDirectories(Root).Where(h => Directory.Exists(Path.Combine(h, "bootstrap-lab", machine))).Select(Path.GetFileName).OfType<string>().Order().ToList();

    private static IReadOnlyList<int> Pids(string machine)
    {
        var dir = Path.Combine(Root, "pids", "bootstrap-lab", machine);
        Assert.True(Directory.Exists(dir), $"{machine} has no pids cgroup ({dir}): is it running?");
        var pids = new List<int>();
        foreach (var file in Directory.EnumerateFiles(dir, "cgroup.procs", SearchOption.AllDirectories))
        {
            try
            {
                pids.AddRange(File.ReadAllLines(file).Select(l => int.Parse(l, CultureInfo.InvariantCulture)));
            }
            catch (IOException)
            {
                // the cgroup went away while we looked
            }
        }

        return pids;
    }
}
