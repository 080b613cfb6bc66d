using System.Globalization;
using System.Numerics;

namespace Bootstrap.Core.Phases.Preflight;

/// <summary>Pure parsers for the output of the read-only commands preflight runs.</summary>
internal static class PreflightParsers
{
    /// <summary>
    /// The TCP ports something listens on, from <c>ss -ltnH</c>: the fourth column is the local
    /// address, <c>ADDR:PORT</c> with ADDR like <c>0.0.0.0</c>, <c>*</c>, <c>[::]</c>, <c>127.0.0.1%lo</c>.
    /// </summary>
    public static IReadOnlySet<int> ParseListeningPorts(string ssOutput)
    {
        ArgumentNullException.ThrowIfNull(ssOutput);
        var ports = new SortedSet<int>();
        foreach (var line in ssOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var columns = line.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
            if (columns.Length < 4)
            {
                throw new FormatException($"Unexpected line from ss -ltnH: \"{line}\"");
            }

            var local = columns[3];
            var colon = local.LastIndexOf(':');
            if (colon < 0 || !int.TryParse(local[(colon + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port is < 1 or > 65535)
            {
                throw new FormatException($"Unexpected local address \"{local}\" from ss -ltnH");
            }

            ports.Add(port);
        }

        return ports;
    }

    /// <summary>
    /// The programs listening on each TCP port, from <c>ss -ltnpH</c> run as root: the last column reads
    /// <c>users:(("kube-apiserver",pid=812,fd=7))</c>. Names are the kernel's comm, cut at 15 characters.
    /// </summary>
    public static IReadOnlyDictionary<int, IReadOnlySet<string>> ParsePortOwners(string ssOutput)
    {
        ArgumentNullException.ThrowIfNull(ssOutput);
        var owners = new SortedDictionary<int, IReadOnlySet<string>>();
        foreach (var line in ssOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var port = ParseListeningPorts(line).Single();
            var names = new SortedSet<string>(StringComparer.Ordinal);
            foreach (var part in line.Split("((\"", StringSplitOptions.None).Skip(1).Concat(line.Split("),(\"", StringSplitOptions.None).Skip(1)))
            {
                var end = part.IndexOf('"', StringComparison.Ordinal);
                if (end > 0)
                {
                    names.Add(part[..end]);
                }
            }

            owners[port] = owners.TryGetValue(port, out var known) ? new SortedSet<string>(known.Concat(names), StringComparer.Ordinal) : names;
        }

        return owners;
    }

    /// <summary>The active swap areas listed by <c>/proc/swaps</c> (the first line is a header).</summary>
    public static IReadOnlyList<string> ParseSwaps(string procSwaps)
    {
        ArgumentNullException.ThrowIfNull(procSwaps);
        return procSwaps.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Where(line => !line.StartsWith("Filename", StringComparison.Ordinal))
            .Select(line => line.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries)[0])
            .ToList();
    }

    /// <summary>
    /// The hardware addresses of real links from <c>ip -o link show</c>: <c>link/ether</c> entries
    /// other than all-zero, lower-cased, each once, in output order.
    /// </summary>
    public static IReadOnlyList<string> ParseMacAddresses(string ipLinkOutput)
    {
        ArgumentNullException.ThrowIfNull(ipLinkOutput);
        var macs = new List<string>();
        foreach (var line in ipLinkOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var words = line.Split([' ', '\t', '\\'], StringSplitOptions.RemoveEmptyEntries);
            var ether = Array.IndexOf(words, "link/ether");
            if (ether < 0 || ether + 1 >= words.Length)
            {
                continue;
            }

            var mac = words[ether + 1].ToLowerInvariant();
            if (mac != "00:00:00:00:00:00" && !macs.Contains(mac))
            {
                macs.Add(mac);
            }
        }

        return macs;
    }

    /// <summary>The host's clock from <c>date +%s%N</c> (nanoseconds since the epoch).</summary>
    public static DateTimeOffset ParseEpochNanoseconds(string dateOutput)
    {
        ArgumentNullException.ThrowIfNull(dateOutput);
        var text = dateOutput.Trim();
        // Without GNU date, %N is printed literally; that is not a clock we can compare.
        if (!BigInteger.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var nanoseconds) || text.Length < 10)
        {
            throw new FormatException($"Unexpected output from date +%s%N: \"{text}\"");
        }

        return DateTimeOffset.UnixEpoch.AddTicks((long)(nanoseconds / 100));
    }

    /// <summary>The first line of a file that holds one value (a sysctl, product_uuid), trimmed.</summary>
    public static string FirstLine(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return text.Split('\n', 2)[0].Trim();
    }
}
