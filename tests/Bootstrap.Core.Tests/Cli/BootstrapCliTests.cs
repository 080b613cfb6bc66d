using Bootstrap.Cli;

namespace Bootstrap.Core.Tests.Cli;

/// <summary>What every command shares once it runs: an exception its action let out never reaches the user as a stack trace.</summary>
public sealed class BootstrapCliTests
{
    [Fact]
    public async Task An_exception_a_command_let_out_is_one_line_and_exit_1()
    {
        var error = new StringWriter();

        var exitCode = await BootstrapCli.GuardedAsync(() => throw new InvalidOperationException("a bug that escaped"), error);

        Assert.Equal(1, exitCode);
        Assert.Equal("internal error (InvalidOperationException: a bug that escaped); please report it\n", error.ToString());
    }

    [Fact]
    public async Task A_cancellation_a_command_let_out_is_an_interruption_exit_130()
    {
        var error = new StringWriter();

        var exitCode = await BootstrapCli.GuardedAsync(() => throw new OperationCanceledException(), error);

        Assert.Equal(130, exitCode);
        Assert.Equal("interrupted\n", error.ToString());
    }

    [Fact]
    public async Task A_token_ttl_past_any_date_is_bad_input_not_a_crash()
    {
        var (exitCode, output, error) = await CliRun.RunAsync("token", "create", "-f", LabCluster.File, "--ttl", "99999999h");

        Assert.Equal(2, exitCode);
        Assert.Empty(output);
        Assert.Contains("--ttl \"99999999h\" is longer than 100 years", error, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", error, StringComparison.Ordinal);
    }
}
