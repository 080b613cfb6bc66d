namespace Bootstrap.Ssh.HostKeys;

/// <summary>A host presented a key we do not trust. Never retried.</summary>
public sealed class HostKeyVerificationException : Exception
{
    public HostKeyVerificationException(string host, string message, string presentedFingerprint, IReadOnlyList<string> expectedFingerprints)
        : base(message)
    {
        Host = host;
        PresentedFingerprint = presentedFingerprint;
        ExpectedFingerprints = expectedFingerprints;
    }

    public string Host { get; }

    public string PresentedFingerprint { get; }

    /// <summary>Empty when the host was unknown; the trusted fingerprints when its key changed.</summary>
    public IReadOnlyList<string> ExpectedFingerprints { get; }
}
