using Bootstrap.Cli;
using Bootstrap.Core.Tests.Pki;

namespace Bootstrap.Core.Tests.Cli.Commands;

/// <summary>
/// <c>bootstrap upgrade</c> through the real command tree: help for every command and flag, and a state without a cluster
/// refused before any host is contacted (the upgrade itself is verified on the lab, UpgradeLifecycle).
/// </summary>
public sealed class UpgradeCommandTests : IDisposable
{
    private readonly TemporaryDirectory _directory = new();
    private readonly string _file;

    public UpgradeCommandTests()
    {
        _file = _directory.Combine("cluster.yaml");
        File.WriteAllText(_file, File.ReadAllText(LabCluster.File)
            .Replace("stateDirectory: /var/lib/bootstrap-lab/state", "stateDirectory: " + _directory.Combine("state"), StringComparison.Ordinal));
    }

    public void Dispose() => _directory.Dispose();

    [Theory]
    [InlineData("upgrade")]
    [InlineData("upgrade", "plan")]
    [InlineData("upgrade", "apply")]
    public async Task Every_upgrade_command_has_its_help_pointing_to_the_docs_or_the_downgrade_flag(params string[] command)
    {
        var (exitCode, output, _) = await CliRun.RunAsync([.. command, "--help"]);

        Assert.Equal(ExitCodes.Success, exitCode);
        Assert.Contains("Usage:", output, StringComparison.Ordinal);
        Assert.Contains(command.Length == 1 ? "docs/upgrade.md" : "--allow-downgrade", output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("plan")]
    [InlineData("apply")]
    public async Task A_state_without_a_cluster_is_refused_before_any_host_is_contacted_and_nothing_is_written(string command)
    {
        var machines = new FakeMachines();

        var (exitCode, _, error) = await CliRun.RunAsync(machines, "upgrade", command, "-f", _file);

        Assert.Equal(ExitCodes.Failure, exitCode);
        Assert.Contains("holds no cluster CA: bootstrap upgrade works on an installed cluster's state", error, StringComparison.Ordinal);
        Assert.Contains("bootstrap state pull", error, StringComparison.Ordinal);
        Assert.Empty(machines.Connected);
        Assert.False(Directory.Exists(_directory.Combine("state")), "the refused upgrade created the state directory");
    }

    [Fact]
    public async Task An_unknown_subcommand_is_bad_input()
    {
        var (exitCode, _, _) = await CliRun.RunAsync("upgrade", "aply", "-f", _file);

        Assert.Equal(ExitCodes.BadInput, exitCode);
    }
}
