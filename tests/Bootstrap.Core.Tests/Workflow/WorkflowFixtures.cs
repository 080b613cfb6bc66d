using Bootstrap.Core.Config;
using Bootstrap.Core.Remote;
using Bootstrap.Core.Workflow;
using Serilog;

namespace Bootstrap.Core.Tests.Workflow;

internal static class WorkflowFixtures
{
    public static ClusterConfig LabConfig { get; } =
        LabCluster.Load();

    public static PhaseContext Context(Func<string, IRemoteHost>? host = null, SecretRedactor? redactor = null, ClusterConfig? config = null, bool dryRun = false, string? manifest = null, TimeProvider? time = null) => new()
    {
        Config = config ?? LabConfig,
        Hosts = (config ?? LabConfig).Hosts.ToDictionary(h => h.Name, h => host?.Invoke(h.Name) ?? new FakeHost(h.Name), StringComparer.Ordinal),
        Redactor = redactor ?? new SecretRedactor(),
        Logger = new LoggerConfiguration().CreateLogger(),
        DryRun = dryRun,
        ManifestPath = manifest ?? Path.Combine(Path.GetTempPath(), "bootstrap-core-tests", "installed-files"),
        Time = time ?? TimeProvider.System,
    };
}
