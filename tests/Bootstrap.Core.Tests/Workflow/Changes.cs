using Bootstrap.Core.Workflow;

namespace Bootstrap.Core.Tests.Workflow;

/// <summary>Applies planned changes in order the way the runner does, for tests of one phase's pieces.</summary>
internal static class Changes
{
    public static async Task<IReadOnlyList<string>> ApplyAsync(PhaseContext context, IEnumerable<Change> changes)
    {
        var apply = new ApplyContext(context, context.Hosts);
        var done = new List<string>();
        foreach (var change in changes)
        {
            var extra = change.Apply is null ? [] : await change.Apply(apply, CancellationToken.None);
            done.Add(change.Describe(dryRun: false));
            done.AddRange(extra);
        }

        return done;
    }

    /// <summary>
    /// A run on <paramref name="host"/> alone. Its manifest of installed files is <paramref name="manifest"/>: a test on the real
    /// machine (LocalHost) names one in its own directory; never the machine's own manifest, even by default.
    /// </summary>
    public static PhaseContext On(Bootstrap.Core.Remote.IRemoteHost host, bool dryRun = false, TimeProvider? time = null, string? manifest = null) => new()
    {
        ManifestPath = manifest ?? Path.Combine(Path.GetTempPath(), "bootstrap-core-tests", "installed-files"),
        Config = WorkflowFixtures.LabConfig,
        Hosts = new Dictionary<string, Bootstrap.Core.Remote.IRemoteHost>(StringComparer.Ordinal) { [host.Name] = host },
        Redactor = new Bootstrap.Core.Remote.SecretRedactor(),
        Logger = new Serilog.LoggerConfiguration().CreateLogger(),
        DryRun = dryRun,
        Time = time ?? TimeProvider.System,
    };
}
