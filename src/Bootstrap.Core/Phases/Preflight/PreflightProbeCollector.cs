using Bootstrap.Core.Remote;

namespace Bootstrap.Core.Phases.Preflight;

/// <summary>
/// Reads a <see cref="PreflightProbe"/> from a host with read-only argv commands, changing nothing: one session
/// (<see cref="CommandBatch"/>) as root; when root is out of reach, a second one as the login user, and
/// <c>IsPrivilegedUser</c> says why.
/// </summary>
public static class PreflightProbeCollector
{
    public static async Task<PreflightProbe> GatherAsync(
        ICommandRunner host, IReadOnlyList<string> binaries, SecretRedactor redactor, TimeProvider time, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(host);
        ArgumentNullException.ThrowIfNull(binaries);
        ArgumentNullException.ThrowIfNull(time);

        var asRoot = new PreflightProbeCommands(binaries, privileged: true);
        var (run, sent, received) = await RunAsync(host, asRoot.Batch, time, cancellationToken).ConfigureAwait(false);
        var privilegeProblem = asRoot.PrivilegeProblem(run);
        if (privilegeProblem is null)
        {
            return asRoot.Read(run, privilegeProblem, sent, received, redactor);
        }

        // What the login user can read, the way it reads it (ss without owners); the checks that need root say so.
        var asUser = new PreflightProbeCommands(binaries, privileged: false);
        (run, sent, received) = await RunAsync(host, asUser.Batch, time, cancellationToken).ConfigureAwait(false);
        return asUser.Read(run, privilegeProblem, sent, received, redactor);
    }

    private static async Task<(CommandBatchRun Run, DateTimeOffset Sent, DateTimeOffset Received)> RunAsync(
        ICommandRunner host, CommandBatch batch, TimeProvider time, CancellationToken cancellationToken)
    {
        var sent = time.GetUtcNow();
        var run = await batch.RunAsync(host, cancellationToken).ConfigureAwait(false);
        return (run, sent, time.GetUtcNow());
    }
}
