namespace Bootstrap.Core.Remote;

/// <summary>Something that runs commands on a named host: a connection (<see cref="IRemoteHost"/>), or a phase's read-only view of one.</summary>
public interface ICommandRunner
{
    /// <summary>The host's name in the cluster file; used in every message about it.</summary>
    string Name { get; }

    /// <summary>Runs a command; a non-zero exit is returned, not thrown.</summary>
    Task<CommandResult> RunAsync(RemoteCommand command, CancellationToken cancellationToken);
}
