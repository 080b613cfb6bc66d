using System.Globalization;

namespace Bootstrap.Core.Remote.Facts;

/// <summary>Pure parsers for the output of the commands <see cref="HostFactsCollector"/> runs.</summary>
internal static class HostFactsParser
{
    /// <summary>Parses os-release(5): KEY=value lines, values optionally quoted with shell escapes.</summary>
    public static IReadOnlyDictionary<string, string> ParseOsRelease(string text)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var raw in text.Split('\n'))
        {
            var line = raw.Trim();
            if (line.Length == 0 || line.StartsWith('#'))
            {
                continue;
            }

            var equals = line.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0)
            {
                continue;
            }

            values[line[..equals]] = Unquote(line[(equals + 1)..]);
        }

        return values;
    }

    /// <summary>The node name and machine of <c>uname -n -m</c> (printed in that order, one space apart: neither holds a space).</summary>
    /// <exception cref="FormatException">The output is not two words.</exception>
    public static (string Hostname, string Machine) ParseUname(string unameOutput)
    {
        ArgumentNullException.ThrowIfNull(unameOutput);
        var words = unameOutput.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
        return words.Length == 2 ? (words[0], words[1]) : throw new FormatException($"`uname -n -m` printed \"{unameOutput.Trim()}\", not a node name and a machine");
    }

    /// <summary>Maps <c>uname -m</c> to the names Kubernetes release artifacts use.</summary>
    public static string NormalizeArchitecture(string unameMachine) => unameMachine.Trim() switch
    {
        "x86_64" or "amd64" => "amd64",
        "aarch64" or "arm64" => "arm64",
        "armv7l" or "armv7" or "armhf" => "arm",
        "ppc64le" => "ppc64le",
        "s390x" => "s390x",
        "riscv64" => "riscv64",
        var other => other,
    };

    /// <summary>Reads the name of PID 1 (<c>/proc/1/comm</c>).</summary>
    public static InitSystem ParseInitSystem(string pid1Name) => pid1Name.Trim() switch
    {
        "systemd" => InitSystem.Systemd,
        "openrc-init" or "openrc" => InitSystem.OpenRc,
        "init" => InitSystem.SysVinit,
        _ => InitSystem.Unknown,
    };

    public static int ParseCpus(string nprocOutput) =>
        int.Parse(nprocOutput.Trim(), NumberStyles.None, CultureInfo.InvariantCulture);

    /// <summary>MemTotal from /proc/meminfo, in bytes.</summary>
    public static long ParseMemTotalBytes(string meminfo)
    {
        foreach (var line in meminfo.Split('\n'))
        {
            if (!line.StartsWith("MemTotal:", StringComparison.Ordinal))
            {
                continue;
            }

            var parts = line["MemTotal:".Length..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
            var value = long.Parse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture);
            return parts.Length > 1 && parts[1] == "kB" ? value * 1024 : value;
        }

        throw new FormatException("No MemTotal line in /proc/meminfo.");
    }

    /// <summary>Parses <c>ip -o -4 addr show</c>: global-scope addresses, without prefix length.</summary>
    public static IReadOnlyList<string> ParseIPv4Addresses(string ipOutput)
    {
        var addresses = new List<string>();
        foreach (var line in ipOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var words = line.Split([' ', '\t', '\\'], StringSplitOptions.RemoveEmptyEntries);
            var inet = Array.IndexOf(words, "inet");
            var scope = Array.IndexOf(words, "scope");
            if (inet < 0 || inet + 1 >= words.Length || scope < 0 || scope + 1 >= words.Length || words[scope + 1] != "global")
            {
                continue;
            }

            var address = words[inet + 1].Split('/')[0];
            if (!addresses.Contains(address))
            {
                addresses.Add(address);
            }
        }

        return addresses;
    }

    /// <summary>Matches the paths printed by <c>command -v</c> (one per found binary) to the names asked for.</summary>
    public static IReadOnlyDictionary<string, string?> ParseBinaries(IReadOnlyList<string> names, string output)
    {
        var found = output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Where(p => p.StartsWith('/'))
            .ToList();
        return names.ToDictionary(
            name => name,
            name => found.FirstOrDefault(path => path.EndsWith("/" + name, StringComparison.Ordinal)),
            StringComparer.Ordinal);
    }

    private static string Unquote(string value)
    {
        if (value.Length >= 2 && (value[0] == '"' || value[0] == '\'') && value[^1] == value[0])
        {
            var inner = value[1..^1];
            return value[0] == '\'' ? inner : UnescapeDoubleQuoted(inner);
        }

        return value;
    }

    private static string UnescapeDoubleQuoted(string inner)
    {
        var text = new System.Text.StringBuilder(inner.Length);
        for (var i = 0; i < inner.Length; i++)
        {
            if (inner[i] == '\\' && i + 1 < inner.Length && "\"\\$`".Contains(inner[i + 1], StringComparison.Ordinal))
            {
                i++;
            }

            text.Append(inner[i]);
        }

        return text.ToString();
    }
}
