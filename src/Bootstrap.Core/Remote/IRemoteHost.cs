namespace Bootstrap.Core.Remote;

/// <summary>
/// One machine the installer acts on, over SSH or locally. Every operation is safe to retry:
/// uploads are atomic (temp file, chmod/chown, rename) and skipped when the content already matches.
/// </summary>
public interface IRemoteHost : ICommandRunner, IAsyncDisposable
{
    /// <summary>
    /// Whether commands run as root without sudo (the login user is root): a command then runs the same with or without
    /// <see cref="RemoteCommand.Sudo"/>. False when not known.
    /// </summary>
    bool IsRoot => false;

    /// <summary>Writes content atomically with mode and owner; skips the transfer when the sha256 matches.</summary>
    Task<UploadResult> UploadAsync(Stream content, FileSpec target, CancellationToken cancellationToken);

    /// <summary>Reads a file (as root when needed); null when it does not exist.</summary>
    Task<byte[]?> DownloadAsync(string path, CancellationToken cancellationToken);

    /// <summary>
    /// Streams a file (as root when needed) into <paramref name="destination"/> as it arrives, never holding it whole in
    /// memory, with progress logged for large files; false when it does not exist. A transfer that stops moving fails
    /// like any other (the stall timeout); what reached <paramref name="destination"/> by then is the caller's to discard.
    /// </summary>
    Task<bool> DownloadToAsync(string path, Stream destination, CancellationToken cancellationToken);
}
