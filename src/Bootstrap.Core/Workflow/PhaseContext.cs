using Bootstrap.Core.Config;
using Bootstrap.Core.Install;
using Bootstrap.Core.Kubernetes;
using Bootstrap.Core.Remote;
using Serilog;

namespace Bootstrap.Core.Workflow;

/// <summary>
/// The typed state of one run, as phases see it while they plan: the configuration, read-only views of the
/// connected hosts, and what earlier phases produced (the cluster material, the API, the nodes that joined).
/// Writing is only possible through the <see cref="ApplyContext"/> the runner gives to changes it applies.
/// </summary>
public sealed class PhaseContext : IAsyncDisposable
{
    private readonly IReadOnlyDictionary<string, IRemoteHost> _hosts = new Dictionary<string, IRemoteHost>(StringComparer.Ordinal);
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, PlannedFiles> _planned = new(StringComparer.Ordinal);

    public required ClusterConfig Config { get; init; }

    /// <summary>The connected hosts, by their name in the cluster file. Only the runner reads them (to apply changes).</summary>
    public required IReadOnlyDictionary<string, IRemoteHost> Hosts
    {
        internal get => _hosts;
        init => _hosts = value;
    }

    public required SecretRedactor Redactor { get; init; }

    public required ILogger Logger { get; init; }

    /// <summary>When set, changes are reported and never applied.</summary>
    public bool DryRun { get; init; }

    public TimeProvider Time { get; init; } = TimeProvider.System;

    /// <summary>The cluster state's material (PKI, secrets, artifacts): produced by <c>certs</c>, else read from the state as it is.</summary>
    internal MaterialSource Material { get; } = new();

    /// <summary>The Kubernetes API from the workstation, with the state's admin.conf.</summary>
    internal ApiSource Api { get; init; } = new();

    /// <summary>The nodes that joined in this run, with the id of the bootstrap token each joined with.</summary>
    internal NodeJoins Joined { get; } = new();

    /// <summary>A read-only view of a connected host; throws naming the host when it is not connected.</summary>
    public HostView View(string name) =>
        _hosts.TryGetValue(name, out var host)
            ? new HostView(host, Redactor, DryRun ? _planned.GetOrAdd(name, _ => new PlannedFiles()) : null)
            : throw new InvalidOperationException($"{name}: not connected");

    public ValueTask DisposeAsync()
    {
        Api.Dispose();
        return ValueTask.CompletedTask;
    }
}
