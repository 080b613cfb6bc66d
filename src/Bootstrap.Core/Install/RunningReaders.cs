using Bootstrap.Core.Config;
using Bootstrap.Core.Remote;
using Bootstrap.Core.Workflow;

namespace Bootstrap.Core.Install;

/// <summary>
/// Which running service of a host reads a file: a phase that installs shared files (certificates, kubeconfigs,
/// binaries) leaves a changed file that a running service reads to that service's own phase, which writes it in
/// the host's turn of its roll — so no host ever runs half of a change because a process restarted out of turn.
/// </summary>
internal static class RunningReaders
{
    /// <summary>For each path, the component of an active service on the host that reads it (null when none does); one command.</summary>
    public static async Task<Func<string, string?>> OfAsync(HostView view, ClusterConfig config, HostSpec host, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(view);
        var services = ServiceCatalog.On(config, host);
        if (services.Count == 0)
        {
            return _ => null;
        }

        var show = await view.QueryAsync(new RemoteCommand(["systemctl", "show", "-p", "Id", "-p", "ActiveState", .. services.Select(s => s.Unit)], sudo: true), cancellationToken)
            .ConfigureAwait(false);
        var active = Parse(show.Stdout);
        var readers = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var service in services.Where(s => active.Contains(s.Unit)))
        {
            foreach (var input in service.Inputs)
            {
                readers.TryAdd(input, service.Component);
            }
        }

        return path => readers.GetValueOrDefault(path);
    }

    /// <summary>The active units of <c>systemctl show -p Id -p ActiveState U1 U2 …</c> (blocks separated by blank lines).</summary>
    public static IReadOnlySet<string> Parse(string output)
    {
        ArgumentNullException.ThrowIfNull(output);
        var active = new HashSet<string>(StringComparer.Ordinal);
        foreach (var block in output.Replace("\r", string.Empty, StringComparison.Ordinal).Split("\n\n", StringSplitOptions.RemoveEmptyEntries))
        {
            var values = block.Split('\n', StringSplitOptions.RemoveEmptyEntries)
                .Select(l => l.Split('=', 2))
                .Where(p => p.Length == 2)
                .ToDictionary(p => p[0], p => p[1], StringComparer.Ordinal);
            if (values.GetValueOrDefault("ActiveState") == "active" && values.GetValueOrDefault("Id") is { } id)
            {
                active.Add(id);
            }
        }

        return active;
    }
}
