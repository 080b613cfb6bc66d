namespace Bootstrap.Core.Install;

/// <summary>A service did not become healthy; the message names host and component and ends with its journal.</summary>
public sealed class ServiceException : Workflow.PhaseFailedException
{
    public ServiceException()
    {
    }

    public ServiceException(string message)
        : base(message)
    {
    }

    public ServiceException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
