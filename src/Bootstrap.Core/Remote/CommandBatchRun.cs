namespace Bootstrap.Core.Remote;

/// <summary>What a <see cref="CommandBatch"/> session returned on one host: each command's result, read with its handle.</summary>
internal sealed class CommandBatchRun
{
    private readonly CommandBatch _batch;
    private readonly RemoteCommand _command;
    private readonly IReadOnlyList<CommandResult>? _results;

    internal CommandBatchRun(string host, CommandBatch batch, RemoteCommand command, CommandResult session, IReadOnlyList<CommandResult>? results)
    {
        Host = host;
        _batch = batch;
        _command = command;
        Session = session;
        _results = results;
    }

    public string Host { get; }

    /// <summary>The session's own result: its exit code and output as they came, frames included.</summary>
    public CommandResult Session { get; }

    /// <summary>Whether the script ran; when not, <see cref="Session"/> says why (sudo's exit code and message).</summary>
    public bool Started => _results is not null;

    /// <summary>The result of one command of the batch; a non-zero exit is returned, not thrown.</summary>
    public CommandResult this[BatchedCommand command]
    {
        get
        {
            ArgumentNullException.ThrowIfNull(command);
            if (command.Batch != _batch)
            {
                throw new ArgumentException("The command belongs to another batch.", nameof(command));
            }

            return _results?[command.Index] ?? throw new InvalidOperationException($"{Host}: the batch did not run, so {command.Argv[0]} has no result.");
        }
    }

    /// <summary>The standard output of a command that succeeded; a failure throws a <see cref="RemoteCommandException"/> naming the host and the command.</summary>
    public string Checked(BatchedCommand command, SecretRedactor redactor)
    {
        var result = this[command];
        return result.Succeeded ? result.Stdout : throw new RemoteCommandException(Host, command.ToDisplayString(redactor), result);
    }

    /// <summary>Throws a <see cref="RemoteCommandException"/> naming the host and the session's exit when the script did not run.</summary>
    public void EnsureStarted(SecretRedactor redactor)
    {
        if (!Started)
        {
            throw new RemoteCommandException(Host, _command.ToDisplayString(redactor), Session);
        }
    }
}
