using Bootstrap.Core.Config;
using Bootstrap.Core.Remote;
using Serilog;

namespace Bootstrap.Core.Workflow;

/// <summary>The typed state every phase of a run sees. Built once per run; phases never change it.</summary>
public sealed record PhaseContext
{
    public required ClusterConfig Config { get; init; }

    /// <summary>The connected hosts, by their name in the cluster file.</summary>
    public required IReadOnlyDictionary<string, IRemoteHost> Hosts { get; init; }

    public required SecretRedactor Redactor { get; init; }

    public required ILogger Logger { get; init; }

    /// <summary>When set, phases report what they would change and change nothing.</summary>
    public bool DryRun { get; init; }

    public TimeProvider Time { get; init; } = TimeProvider.System;

    /// <summary>The connection to a host of the cluster file; throws naming the host when it is not connected.</summary>
    public IRemoteHost Host(string name) =>
        Hosts.TryGetValue(name, out var host) ? host : throw new InvalidOperationException($"{name}: not connected");
}
