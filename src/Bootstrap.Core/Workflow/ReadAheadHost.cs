using Bootstrap.Core.Remote;

namespace Bootstrap.Core.Workflow;

/// <summary>
/// A host as a plan reads it (<see cref="HostView"/>): each command and file read is taken from the run's snapshot of the
/// host when <see cref="ReadAhead"/> can answer it (or from another plan's read of it), and read on the host otherwise. It writes nothing: a plan never uploads.
/// </summary>
internal sealed class ReadAheadHost(IRemoteHost host, ReadAhead reads) : IRemoteHost
{
    public string Name => host.Name;

    public bool IsRoot => host.IsRoot;

    public Task<CommandResult> RunAsync(RemoteCommand command, CancellationToken cancellationToken) =>
        reads.ReadCommandAsync(host.Name, command, () => host.RunAsync(command, cancellationToken), cancellationToken);

    /// <summary>A read this plan will make in the next run (<see cref="ReadAhead.Expect"/>).</summary>
    public void Expect(RemoteCommand command) => reads.Expect(host.Name, command);

    public Task<byte[]?> DownloadAsync(string path, CancellationToken cancellationToken) =>
        reads.ReadFileAsync(host.Name, path, () => host.DownloadAsync(path, cancellationToken), cancellationToken);

    public Task<bool> DownloadToAsync(string path, Stream destination, CancellationToken cancellationToken) =>
        host.DownloadToAsync(path, destination, cancellationToken);

    public Task<UploadResult> UploadAsync(Stream content, FileSpec target, CancellationToken cancellationToken) =>
        throw new InvalidOperationException($"{host.Name}: a plan reads hosts and never uploads to them");

    /// <summary>The connection is the run's, not this view's: nothing to close.</summary>
    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
