using Bootstrap.Core.Config;

namespace Bootstrap.Core.Workflow;

/// <summary>
/// A read-only leaf that protects what comes after it: it runs whenever a later phase of the same tree runs,
/// even when the selection names only that phase or skips the guard, and only on the hosts those later phases
/// act on (among its own <see cref="ILeafPhase.Targets"/>). A refusal stops the run before anything is written.
/// </summary>
public interface IGuardPhase : ILeafPhase
{
}
