namespace Bootstrap.Core.Install;

/// <summary>An artifact is missing, unreadable or does not match its sha256.</summary>
public sealed class ArtifactException : Exception
{
    public ArtifactException()
    {
    }

    public ArtifactException(string message)
        : base(message)
    {
    }

    public ArtifactException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
