namespace Bootstrap.Core.Remote;

/// <summary>
/// A host's connection was found closed (the host reset it, or the keep-alive found its peer gone) before an operation was
/// sent on it: nothing of that operation ran, so it may be made again on a new connection (<see cref="PooledHost"/> does, once).
/// The message names the host and the operation, never a secret.
/// </summary>
public sealed class ConnectionLostException : IOException
{
    public ConnectionLostException(string host, string operation)
        : base($"{host}: the connection is closed; cannot run {operation}.")
    {
        Host = host;
        Operation = operation;
    }

    public string Host { get; }

    /// <summary>What could not be sent (a command as it is displayed, or a transfer).</summary>
    public string Operation { get; }
}
