using System.Text.RegularExpressions;
using Bootstrap.Core.Config;
using Bootstrap.Core.Remote;

namespace Bootstrap.Core.Upgrade;

/// <summary>Reads what version each Bootstrap binary on a host reports, with one command for all of them.</summary>
internal static partial class VersionProbe
{
    // Each binary's own way to print its version, first line only; the names are arguments, never part of the script.
    private const string Script =
        "for b in \"$@\"; do p=/usr/local/bin/$b; [ -x \"$p\" ] || { echo \"$b -\"; continue; }; "
        + "case $b in kubectl) v=$(\"$p\" version --client --short 2>&1);; etcdctl) v=$(\"$p\" version 2>&1);; *) v=$(\"$p\" --version 2>&1);; esac; "
        + "echo \"$b $(printf '%s' \"$v\" | head -n 1)\"; done";

    public static RemoteCommand Command(IReadOnlyList<string> binaries) => new(["sh", "-c", Script, "versions", .. binaries], sudo: true);

    /// <summary>Parses the script's output: binary → version (null when missing or unreadable).</summary>
    public static IReadOnlyDictionary<string, KubernetesVersion?> Parse(string output)
    {
        ArgumentNullException.ThrowIfNull(output);
        var versions = new Dictionary<string, KubernetesVersion?>(StringComparer.Ordinal);
        foreach (var line in output.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var parts = line.Split(' ', 2);
            versions[parts[0]] = parts.Length > 1 && Pattern().Match(parts[1]) is { Success: true } match
                ? Config.Parsing.ScalarFormats.Version("v" + match.Groups[1].Value)
                : null;
        }

        return versions;
    }

    /// <summary>"Kubernetes v1.20.2", "etcd Version: 3.4.23", "Client Version: v1.20.2", "etcdctl version: 3.5.16".</summary>
    [GeneratedRegex(@"v?([0-9]+\.[0-9]+\.[0-9]+(?:-[0-9A-Za-z]+(?:\.[0-9A-Za-z]+)*)?)", RegexOptions.CultureInvariant)]
    private static partial Regex Pattern();
}
