using Bootstrap.Core.Remote;

namespace Bootstrap.Core.Workflow;

/// <summary>
/// A host as a plan reads it (<see cref="HostView"/>): each command and file read is taken from the run's snapshot of the
/// host when <see cref="ReadAhead"/> can answer it, and read on the host otherwise. It writes nothing: a plan never uploads.
/// </summary>
internal sealed class ReadAheadHost(IRemoteHost host, ReadAhead reads) : IRemoteHost
{
    public string Name => host.Name;

    public async Task<CommandResult> RunAsync(RemoteCommand command, CancellationToken cancellationToken) =>
        await reads.CommandAsync(host.Name, command, cancellationToken).ConfigureAwait(false)
        ?? await host.RunAsync(command, cancellationToken).ConfigureAwait(false);

    public async Task<byte[]?> DownloadAsync(string path, CancellationToken cancellationToken)
    {
        var (found, content) = await reads.FileAsync(host.Name, path, cancellationToken).ConfigureAwait(false);
        return found ? content : await host.DownloadAsync(path, cancellationToken).ConfigureAwait(false);
    }

    public Task<bool> DownloadToAsync(string path, Stream destination, CancellationToken cancellationToken) =>
        host.DownloadToAsync(path, destination, cancellationToken);

    public Task<UploadResult> UploadAsync(Stream content, FileSpec target, CancellationToken cancellationToken) =>
        throw new InvalidOperationException($"{host.Name}: a plan reads hosts and never uploads to them");

    /// <summary>The connection is the run's, not this view's: nothing to close.</summary>
    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
