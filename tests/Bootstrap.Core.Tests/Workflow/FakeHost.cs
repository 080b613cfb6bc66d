using Bootstrap.Core.Remote;

namespace Bootstrap.Core.Tests.Workflow;

/// <summary>A host that answers commands from a table; for phases under test that never reach a machine.</summary>
internal sealed class FakeHost(string name, Func<RemoteCommand, CommandResult>? answer = null) : IRemoteHost
{
    public string Name { get; } = name;

    public bool Disposed { get; private set; }

    public Task<CommandResult> RunAsync(RemoteCommand command, CancellationToken cancellationToken) =>
        Task.FromResult(answer?.Invoke(command) ?? new CommandResult(127, string.Empty, "not faked: " + command.ToShellString()));

    public Task<UploadResult> UploadAsync(Stream content, FileSpec target, CancellationToken cancellationToken) =>
        throw new NotSupportedException();

    public Task<byte[]?> DownloadAsync(string path, CancellationToken cancellationToken) => throw new NotSupportedException();


    public Task<bool> DownloadToAsync(string path, Stream destination, CancellationToken cancellationToken) => throw new NotSupportedException();

    public ValueTask DisposeAsync()
    {
        Disposed = true;
        return ValueTask.CompletedTask;
    }
}
