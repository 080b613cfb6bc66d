namespace Bootstrap.Core.Remote;

/// <summary>A host whose idle connection was closed could not be reached again; the message names it and never holds a secret.</summary>
public sealed class HostReconnectException : Exception
{
    public HostReconnectException(string host, string message, Exception inner)
        : base(message, inner)
    {
        Host = host;
    }

    public string Host { get; }
}
