using System.CommandLine;
using Bootstrap.Cli;
using Bootstrap.Cli.Workflow;
using Bootstrap.Core.Workflow;

namespace Bootstrap.Core.Tests.Cli.Workflow;

public sealed class WorkflowFlagsTests
{
    [Theory]
    [InlineData("init")]
    [InlineData("init phase artifacts")]
    [InlineData("init phase control-plane apiserver")]
    [InlineData("join")]
    [InlineData("plan")]
    [InlineData("upgrade plan")]
    [InlineData("upgrade apply")]
    public void The_commands_that_compare_files_on_hosts_take_verify(string command)
    {
        Assert.Empty(Errors(command + " -f cluster.yaml --verify"));
    }

    [Theory]
    [InlineData("preflight")]
    [InlineData("init phase preflight")]
    [InlineData("reset --all --yes")]
    public void Commands_that_compare_no_installed_file_refuse_verify(string command)
    {
        Assert.NotEmpty(Errors(command + " -f cluster.yaml --verify"));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Verify_reaches_the_invocation_only_when_given(bool given)
    {
        var flags = new WorkflowFlags(new ClusterFileInput(TextReader.Null));
        var command = new Command("init");
        flags.AddTo(command, verify: true);

        var invocation = flags.Read(command.Parse(given ? ["-f", "cluster.yaml", "--verify"] : ["-f", "cluster.yaml"]), WorkflowSelection.All);

        Assert.Equal(given, invocation.Verify);
    }

    [Theory]
    [InlineData("join", "", "names no host")]
    [InlineData("join", ",", "names no host")]
    [InlineData("join", " ", "names no host")]
    [InlineData("reset", "", "names no host")]
    [InlineData("reset", " , ", "names no host")]
    [InlineData("join", "w1,,w2", "has an empty host name")]
    [InlineData("join", "w1,", "has an empty host name")]
    [InlineData("reset", ",cp1", "has an empty host name")]
    [InlineData("reset", "cp1, ,cp2", "has an empty host name")]
    public async Task A_host_flag_that_names_no_host_or_an_empty_one_is_bad_input_and_never_means_every_host(string command, string hosts, string expected)
    {
        // `--host "$NODE"` with NODE unset: taken as no --host, reset took every host down without asking (join ran on all).
        // `--host "$A,$B"` with B unset: the run would leave out a host it was meant for.
        var machines = new FakeMachines();

        var (exitCode, _, error) = await CliRun.RunAsync(machines, command, "-f", LabCluster.File, "--host", hosts);

        Assert.Equal(ExitCodes.BadInput, exitCode);
        Assert.Contains(expected, error, StringComparison.Ordinal);
        Assert.Empty(machines.Connected);
    }

    [Fact]
    public void Host_names_given_repeated_or_comma_separated_are_read_trimmed()
    {
        var flags = new WorkflowFlags(new ClusterFileInput(TextReader.Null));
        var command = new Command("join");
        flags.AddTo(command, hosts: true);

        var invocation = flags.Read(command.Parse(["-f", "cluster.yaml", "--host", "w1, w2", "--host", "w1"]), WorkflowSelection.All);

        Assert.Equal(["w1", "w2"], invocation.Selection.Hosts);
    }

    private static IReadOnlyList<string> Errors(string commandLine) =>
        [.. BootstrapCli.Build().Parse(commandLine.Split(' ')).Errors.Select(e => e.Message)];
}
