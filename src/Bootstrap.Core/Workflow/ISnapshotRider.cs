using Bootstrap.Core.Remote;

namespace Bootstrap.Core.Workflow;

/// <summary>
/// Reading commands that travel in a host's snapshot session (<see cref="ReadAhead"/>), the run's first session on the host, instead
/// of a session of their own once the snapshots are in: preflight's probe, which the first phase reads from every host. The rider
/// builds its commands around the snapshot's reads and gets the session's outcome; a session that fails or never runs is still
/// reported (without a run), so that the rider reads the host itself.
/// </summary>
internal interface ISnapshotRider
{
    /// <summary>What the rider reads, for the log ("preflight's probe").</summary>
    string Name { get; }

    /// <summary>
    /// Called once for each host whose snapshot starts (on the thread that starts it, before the session): whether the rider's
    /// commands go into it. A host it takes is then always answered by <see cref="Arrived"/>, exactly once.
    /// </summary>
    bool Boards(string host);

    /// <summary>
    /// Adds the rider's commands for <paramref name="host"/> to <paramref name="batch"/> (a session as root), calling
    /// <paramref name="reads"/> once, where the snapshot's own reads go among them.
    /// </summary>
    void Add(string host, CommandBatch batch, Action reads);

    /// <summary>
    /// The session's outcome for <paramref name="host"/>: <paramref name="run"/> (null when the session failed or never ran), sent at
    /// <paramref name="sent"/> and answered at <paramref name="received"/> (the workstation's clock).
    /// </summary>
    void Arrived(string host, CommandBatchRun? run, DateTimeOffset sent, DateTimeOffset received);
}
