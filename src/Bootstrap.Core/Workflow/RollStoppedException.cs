namespace Bootstrap.Core.Workflow;

/// <summary>A host's turn in a roll did not start because another host's turn failed; the host was left as it was.</summary>
public sealed class RollStoppedException : PhaseFailedException
{
    public RollStoppedException()
    {
    }

    public RollStoppedException(string message)
        : base(message)
    {
    }

    public RollStoppedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
