using Bootstrap.Core.Phases.Preflight;
using Bootstrap.Core.Workflow;

namespace Bootstrap.Core.Phases;

/// <summary>
/// The phases of <c>bootstrap init</c>, in order. Only the phases that are implemented are listed;
/// the rest of the install (certs, kubeconfigs, etcd, control plane …) is added here as it lands.
/// </summary>
public static class InitWorkflow
{
    public static PhaseTree Create(InitOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return new PhaseTree("init", [new PreflightPhase(options.IgnorePreflightErrors, options.MaxClockSkew)]);
    }
}
