namespace Bootstrap.Core.Remote;

public static class RemoteHostExtensions
{
    /// <summary>Runs a command and throws a <see cref="RemoteCommandException"/> naming the host when it fails.</summary>
    public static async Task<CommandResult> RunCheckedAsync(this ICommandRunner host, RemoteCommand command, SecretRedactor redactor, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(host);
        ArgumentNullException.ThrowIfNull(command);
        var result = await host.RunAsync(command, cancellationToken).ConfigureAwait(false);
        if (!result.Succeeded)
        {
            throw new RemoteCommandException(host.Name, command.ToDisplayString(redactor), result);
        }

        return result;
    }

    public static Task<UploadResult> UploadAsync(this IRemoteHost host, byte[] content, FileSpec target, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(host);
        return host.UploadAsync(new MemoryStream(content, writable: false), target, cancellationToken);
    }
}
