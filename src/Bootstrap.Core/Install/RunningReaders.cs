using Bootstrap.Core.Config;
using Bootstrap.Core.Workflow;

namespace Bootstrap.Core.Install;

/// <summary>
/// Which running service of a host reads a file: a phase that installs shared files (certificates, kubeconfigs,
/// binaries) leaves a changed file that a running service reads to that service's own phase, which writes it in
/// the host's turn of its roll — so no host ever runs half of a change because a process restarted out of turn.
/// </summary>
internal static class RunningReaders
{
    /// <summary>For each path, the component of an active service on the host that reads it (null when none does), from the host's units read together.</summary>
    public static async Task<Func<string, string?>> OfAsync(HostView view, ClusterConfig config, HostSpec host, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(view);
        var services = ServiceCatalog.On(config, host);
        if (services.Count == 0)
        {
            return _ => null;
        }

        var readers = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var service in services)
        {
            if (!(await view.UnitAsync(service.Unit, cancellationToken).ConfigureAwait(false)).Active)
            {
                continue;
            }

            foreach (var input in service.Inputs)
            {
                readers.TryAdd(input, service.Component);
            }
        }

        return path => readers.GetValueOrDefault(path);
    }
}
