namespace Bootstrap.Ssh;

/// <summary>A host could not be reached or refused our credentials. The message names the host and never holds a secret.</summary>
public sealed class SshConnectException : Exception
{
    public SshConnectException(string host, string message, bool isAuthenticationFailure, Exception? inner = null)
        : base(message, inner)
    {
        Host = host;
        IsAuthenticationFailure = isAuthenticationFailure;
    }

    public string Host { get; }

    public bool IsAuthenticationFailure { get; }
}
