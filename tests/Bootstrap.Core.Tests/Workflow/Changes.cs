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

    public static PhaseContext On(Bootstrap.Core.Remote.IRemoteHost host, bool dryRun = false, TimeProvider? time = null) => new()
    {
        Config = WorkflowFixtures.LabConfig,
        Hosts = new Dictionary<string, Bootstrap.Core.Remote.IRemoteHost>(StringComparer.Ordinal) { [host.Name] = host },
        Redactor = new Bootstrap.Core.Remote.SecretRedactor(),
        Logger = new Serilog.LoggerConfiguration().CreateLogger(),
        DryRun = dryRun,
        Time = time ?? TimeProvider.System,
    };
}
