namespace Bootstrap.Core.Pki;

/// <summary>
/// The state directory (or a user-supplied CA) is in a condition the PKI refuses to paper over,
/// e.g. a CA key is missing while the state says the cluster exists. Messages never contain key material.
/// </summary>
internal sealed class PkiStateException : Exception
{
    public PkiStateException(string message)
        : base(message)
    {
    }

    public PkiStateException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
