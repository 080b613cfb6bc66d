namespace Bootstrap.Core.Remote.Facts;

/// <summary>Gathers <see cref="HostFacts"/> with read-only argv commands, all in one session (<see cref="CommandBatch"/>).</summary>
public static class HostFactsCollector
{
    public static async Task<HostFacts> GatherAsync(ICommandRunner host, IReadOnlyList<string> binaries, SecretRedactor redactor, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(host);
        ArgumentNullException.ThrowIfNull(binaries);

        var batch = new CommandBatch(sudo: false);
        var facts = new HostFactsCommands(batch, binaries);
        var run = await batch.RunAsync(host, cancellationToken).ConfigureAwait(false);
        run.EnsureStarted(redactor);
        return facts.Read(run, redactor);
    }
}
