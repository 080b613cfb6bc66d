namespace Bootstrap.Core.Workflow;

/// <summary>
/// A target is not as a phase needs it, for a reason the phase understood (a service not healthy in time, a node
/// not Ready, a refused request). The runner reports it as a failure of that target, with the message, instead
/// of an error in an unknown state.
/// </summary>
public class PhaseFailedException : Exception
{
    public PhaseFailedException()
    {
    }

    public PhaseFailedException(string message)
        : base(message)
    {
    }

    public PhaseFailedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
