using Bootstrap.Core.Config;
using Bootstrap.Core.Remote;

namespace Bootstrap.Core.Workflow;

/// <summary>
/// One step of a workflow, addressed by its path in the tree (<c>preflight</c>, <c>certs/apiserver</c>).
/// A phase either groups <see cref="Children"/> (and is never run itself) or is a leaf the runner
/// runs on each of its <see cref="Targets"/>. Leaves are idempotent: <see cref="NeedsRunAsync"/> says
/// whether a host is already in the wanted state, and <see cref="RunAsync"/> reports what it changed.
/// </summary>
public interface IPhase
{
    /// <summary>The path segment: lower-case letters, digits and dashes.</summary>
    string Name { get; }

    /// <summary>One line for <c>--help</c>.</summary>
    string Description { get; }

    /// <summary>The sub-phases, run in order; empty for a leaf.</summary>
    IReadOnlyList<IPhase> Children { get; }

    /// <summary>The hosts a leaf runs on, in file order.</summary>
    IReadOnlyList<HostSpec> Targets(ClusterConfig config);

    /// <summary>False when the host is already as this phase would leave it; the runner then reports it unchanged.</summary>
    Task<bool> NeedsRunAsync(PhaseContext context, IRemoteHost host, CancellationToken cancellationToken);

    /// <summary>Runs the phase on one host. Expected failures are returned (<see cref="PhaseResult.Failed"/>); exceptions are bugs or broken hosts.</summary>
    Task<PhaseResult> RunAsync(PhaseContext context, IRemoteHost host, CancellationToken cancellationToken);
}
