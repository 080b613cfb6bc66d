namespace Bootstrap.Core.Workflow;

/// <summary>
/// A plan or check made ahead of its turn came to a wait's first sleep: what it waits for is not there yet, so the target
/// is planned and checked in its turn instead (<see cref="PlansAhead"/>), where waiting is the phase's business.
/// </summary>
public sealed class WaitNotAheadException : Exception
{
    public WaitNotAheadException()
        : base("a plan or check made ahead does not wait; it is made again in its turn")
    {
    }

    public WaitNotAheadException(string message)
        : base(message)
    {
    }

    public WaitNotAheadException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
