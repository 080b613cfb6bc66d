namespace Bootstrap.Core.Workflow;

/// <summary>How a phase ended on one host.</summary>
public enum HostPhaseStatus
{
    /// <summary>The phase ran and changed the host.</summary>
    Changed,

    /// <summary>The phase ran, or found nothing to do, and the host is as it was.</summary>
    Unchanged,

    /// <summary>The phase reported a failure it understood (a refusal, or a <see cref="PhaseFailedException"/>).</summary>
    Failed,

    /// <summary>The phase threw: the host is in an unknown state.</summary>
    Error,

    /// <summary>The run was cancelled while the phase was working on this host.</summary>
    Cancelled,
}
