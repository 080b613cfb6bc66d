using Bootstrap.Core.Config;
using Bootstrap.Core.Remote;
using Bootstrap.Core.Workflow;

namespace Bootstrap.Core.Install;

/// <summary>What one install phase does on a host: prepare (users, directories), files to write, services to keep running.</summary>
internal sealed record InstallStep
{
    public required string Name { get; init; }

    public required string Description { get; init; }

    public required Func<ClusterConfig, IReadOnlyList<HostSpec>> Targets { get; init; }

    /// <summary>Runs before the files are written; returns what it changed (or would change in a dry run).</summary>
    public Func<PhaseContext, IRemoteHost, CancellationToken, Task<IReadOnlyList<string>>>? Prepare { get; init; }

    public required Func<PhaseContext, InstallMaterial, HostSpec, IRemoteHost, CancellationToken, Task<IReadOnlyList<DesiredFile>>> Files { get; init; }

    public Func<InstallMaterial, HostSpec, IReadOnlyList<ServiceSpec>> Services { get; init; } = (_, _) => [];

    /// <summary>Lines about what happened on the workstation for this host (certificates issued in the cluster state).</summary>
    public Func<InstallMaterial, HostSpec, bool, IReadOnlyList<string>> Notes { get; init; } = (_, _, _) => [];

    /// <summary>After starting a stopped service, wait for it to be healthy (false for etcd members, which need each other first).</summary>
    public bool WaitAfterStart { get; init; } = true;
}
