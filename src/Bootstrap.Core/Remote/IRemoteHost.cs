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

    /// <summary>
    /// Writes small files as <see cref="UploadAsync"/> writes each (atomically, checked against its sha256, skipped when it is
    /// already in place), making their directories when missing; one outcome per file, in order: a file that fails does not
    /// keep the others from being written. A host may write them all in one command; this one writes them one by one.
    /// </summary>
    async Task<IReadOnlyList<UploadOutcome>> UploadSmallAsync(IReadOnlyList<SmallUpload> files, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(files);
        var outcomes = new List<UploadOutcome>(files.Count);
        if (files.Count > 0)
        {
            // Their directories, as the one command makes them; a directory that cannot be made fails its files' uploads.
            await RunAsync(new RemoteCommand(["mkdir", "-p", "--", .. files.Select(f => AtomicInstall.Split(f.Target.Path).Directory).Distinct(StringComparer.Ordinal)], sudo: true),
                cancellationToken).ConfigureAwait(false);
        }

        foreach (var file in files)
        {
            outcomes.Add(await AtomicInstall.UploadAloneAsync(this, file, cancellationToken).ConfigureAwait(false));
        }

        return outcomes;
    }

    /// <summary>Reads a file (as root when needed); null when it does not exist.</summary>
    Task<byte[]?> DownloadAsync(string path, CancellationToken cancellationToken);

    /// <summary>
    /// Streams a file (as root when needed) into <paramref name="destination"/> as it arrives, never holding it whole in
    /// memory, with progress logged for large files; false when it does not exist. A transfer that stops moving fails
    /// like any other (the stall timeout); what reached <paramref name="destination"/> by then is the caller's to discard.
    /// </summary>
    Task<bool> DownloadToAsync(string path, Stream destination, CancellationToken cancellationToken);
}
