namespace Bootstrap.Core.Remote;

/// <summary>Where and how a file is written on a host. Mode is octal, e.g. 0o600.</summary>
public sealed record FileSpec(string Path, int Mode = 0b110_100_100, string Owner = "root", string Group = "root")
{
    /// <summary>
    /// The host's manifest of installed files that records the file once it is written (by the same command that renames it in
    /// place); null: not recorded. Bootstrap's installs set it (<c>FileConvergence</c>).
    /// </summary>
    public string? Manifest { get; init; }

    /// <summary>
    /// The content's lower-case hex sha256 when the caller already knows it (a binary checked against its digest on the
    /// workstation once per run): the upload then does not read the content a second time to hash it. It is no less checked:
    /// the host's copy must have this sha256 before it is renamed in place, so content that is not what the digest names is
    /// never installed. Null: the upload hashes the content itself.
    /// </summary>
    public string? Sha256 { get; init; }

    /// <summary>
    /// Whether the caller has just read the target and found it missing or with other content (a plan's read): the upload then
    /// sends the content in the one command that writes, checks and renames it, whatever its size, without first asking the host
    /// what it holds (a probe, a temp file and a commit, three round trips and a dozen programs per file). False: a content larger
    /// than <see cref="AtomicInstall.OneCommandLimit"/> is sent only once the host has shown that it lacks it.
    /// </summary>
    public bool Differs { get; init; }

    /// <summary>
    /// Whether a large content may reach the host as fast as sshd can pass it on: the command that reads it first widens the pipe
    /// sshd writes into (<see cref="AtomicInstall.WideInputPipe"/>). Set for a host that runs none of the cluster's services yet
    /// (nothing there to starve of disk or CPU); false, the default: the content goes through the kernel's 64 KiB pipe, as plain
    /// <c>ssh host 'cat > file'</c> does.
    /// </summary>
    public bool WideInput { get; init; }

    public string ModeOctal => Convert.ToString(Mode, 8).PadLeft(4, '0');
}
