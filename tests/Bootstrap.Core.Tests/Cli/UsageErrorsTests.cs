using Bootstrap.Cli;

namespace Bootstrap.Core.Tests.Cli;

/// <summary>A command line that does not parse gets one line of why and a pointer to --help, never the whole help.</summary>
public sealed class UsageErrorsTests
{
    [Fact]
    public void A_mistyped_command_is_one_line_with_did_you_mean_and_a_pointer_to_help()
    {
        var (exitCode, output, error) = CliRun.Run("valdate", "-f", "cluster.yaml");

        Assert.Equal(ExitCodes.BadInput, exitCode);
        Assert.Equal(string.Empty, output);
        Assert.Equal("bootstrap: unknown command \"valdate\"; did you mean \"validate\"?\nRun 'bootstrap --help' for its commands and options.\n", error);
    }

    [Fact]
    public void A_mistyped_subcommand_names_its_parent_command()
    {
        var (exitCode, _, error) = CliRun.Run("certs", "renw", "all");

        Assert.Equal(ExitCodes.BadInput, exitCode);
        Assert.Equal("bootstrap certs: unknown command \"renw\"; did you mean \"renew\"?\nRun 'bootstrap certs --help' for its commands and options.\n", error);
    }

    [Fact]
    public void A_mistyped_option_gets_did_you_mean()
    {
        var (exitCode, _, error) = CliRun.Run("validate", "--fil", "cluster.yaml");

        Assert.Equal(ExitCodes.BadInput, exitCode);
        Assert.Equal("bootstrap validate: unknown option \"--fil\"; did you mean \"--file\"?\nRun 'bootstrap validate --help' for its options.\n", error);
    }

    [Fact]
    public void A_command_without_its_subcommand_lists_them()
    {
        var (exitCode, _, error) = CliRun.Run("certs");

        Assert.Equal(ExitCodes.BadInput, exitCode);
        Assert.Equal("bootstrap certs: name a command: generate, check-expiration, renew\nRun 'bootstrap certs --help' for its commands and options.\n", error);
    }

    [Fact]
    public void A_bad_option_value_is_one_line_naming_the_option()
    {
        var (exitCode, _, error) = CliRun.Run("validate", "-f", "cluster.yaml", "-o", "yaml");

        Assert.Equal(ExitCodes.BadInput, exitCode);
        Assert.Equal("bootstrap validate: --output: Argument 'yaml' not recognized. Must be one of: 'text' 'json'\nRun 'bootstrap validate --help' for its options.\n", error);
    }

    [Fact]
    public void A_missing_required_option_says_so()
    {
        var (exitCode, _, error) = CliRun.Run("validate");

        Assert.Equal(ExitCodes.BadInput, exitCode);
        Assert.Equal("bootstrap validate: Option '--file' is required.\nRun 'bootstrap validate --help' for its options.\n", error);
    }

    [Fact]
    public void A_huge_unknown_command_is_quoted_capped()
    {
        var (exitCode, _, error) = CliRun.Run(new string('x', 5000));

        Assert.Equal(ExitCodes.BadInput, exitCode);
        Assert.Contains("… (4920 more characters)", error, StringComparison.Ordinal);
        Assert.True(error.Length < 300, error);
    }

    [Fact]
    public void Help_is_still_the_whole_help()
    {
        var (exitCode, output, _) = CliRun.Run("--help");

        Assert.Equal(ExitCodes.Success, exitCode);
        Assert.Contains("validate", output, StringComparison.Ordinal);
        Assert.Contains("kubelet-serving-csr", output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("plan", false)]
    [InlineData("init phase certs", false)]
    [InlineData("init phase control-plane apiserver", false)]
    [InlineData("init", true)]
    [InlineData("join", true)]
    [InlineData("preflight", true)]
    [InlineData("init phase preflight", true)]
    public void Only_commands_that_run_preflight_offer_ignore_preflight_errors(string command, bool offered)
    {
        var (_, output, _) = CliRun.Run([.. command.Split(' '), "--help"]);

        Assert.Equal(offered, output.Contains("--ignore-preflight-errors", StringComparison.Ordinal));
    }
}
