namespace Bootstrap.Core.Remote;

/// <summary>One command of a <see cref="CommandBatch"/>: the handle its result is read back with (<see cref="CommandBatchRun"/>).</summary>
internal sealed class BatchedCommand
{
    internal BatchedCommand(CommandBatch batch, int index, IReadOnlyList<string> argv)
    {
        Batch = batch;
        Index = index;
        Argv = argv;
    }

    public CommandBatch Batch { get; }

    /// <summary>Its place in the batch, from 0.</summary>
    public int Index { get; }

    public IReadOnlyList<string> Argv { get; }

    /// <summary>The command as it ran (<c>sudo</c> first when the batch ran as root), registered secrets masked.</summary>
    public string ToDisplayString(SecretRedactor redactor) => new RemoteCommand(Argv, Batch.Sudo).ToDisplayString(redactor);
}
