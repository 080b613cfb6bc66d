using Bootstrap.Cli;
using Bootstrap.Core.Tests.Pki;

namespace Bootstrap.Core.Tests.Cli.Commands;

/// <summary>
/// <c>bootstrap token</c>'s input handling through the real command tree: bad flags are exit 2 before anything
/// is contacted, and a state without admin.conf is a one-line failure. What the API does with the tokens is left
/// to the lab test.
/// </summary>
public sealed class TokenCommandTests : IDisposable
{
    private static readonly string LabFile = LabCluster.File;

    private readonly TemporaryDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    [Theory]
    [InlineData("--ttl", "1d", "--ttl \"1d\" is not a duration")]
    [InlineData("--ttl", "-5m", "is negative")]
    [InlineData("--groups", "system:masters", "system:masters")]
    public async Task Create_refuses_a_bad_flag_with_exit_2_and_says_why(string flag, string value, string message)
    {
        var (exitCode, output, error) = await CliRun.RunAsync("token", "create", "-f", LabFile, flag, value);

        Assert.Equal(ExitCodes.BadInput, exitCode);
        Assert.Contains(message, error, StringComparison.Ordinal);
        Assert.Empty(output);
    }

    [Fact]
    public async Task Delete_refuses_a_malformed_token_with_exit_2_without_echoing_it()
    {
        var (exitCode, output, error) = await CliRun.RunAsync("token", "delete", "-f", LabFile, "abcdef.short");

        Assert.Equal(ExitCodes.BadInput, exitCode);
        Assert.Contains("argument 1", error, StringComparison.Ordinal);
        Assert.DoesNotContain("short", error, StringComparison.Ordinal);
        Assert.Empty(output);
    }

    [Fact]
    public async Task Delete_without_a_token_is_exit_2()
    {
        var (exitCode, _, error) = await CliRun.RunAsync("token", "delete", "-f", LabFile);

        Assert.Equal(ExitCodes.BadInput, exitCode);
        Assert.Contains("at least one token", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task List_rejects_an_unknown_output_format()
    {
        var (exitCode, _, _) = await CliRun.RunAsync("token", "list", "-f", LabFile, "-o", "yaml");

        Assert.NotEqual(ExitCodes.Success, exitCode);
    }

    [Theory]
    [InlineData("{\"kind\":\"Status\",\"message\":\"secrets is forbidden: no\"}", "secrets is forbidden: no")]
    [InlineData("not json", null)]
    [InlineData("[1]", null)]
    [InlineData("", null)]
    public void An_api_error_is_told_by_the_message_of_its_status(string content, string? expected) =>
        Assert.Equal(expected, Bootstrap.Cli.Commands.TokenCommand.StatusMessage(content));

    [Theory]
    [InlineData("list")]
    [InlineData("create")]
    [InlineData("delete", "abcdef")]
    public async Task Without_an_admin_conf_in_the_state_every_subcommand_fails_with_exit_1_saying_so(string subcommand, params string[] rest)
    {
        var file = _directory.Combine("cluster.yaml");
        var state = _directory.Combine("state");
        await File.WriteAllTextAsync(file, (await File.ReadAllTextAsync(LabFile)).Replace("/var/lib/bootstrap-lab/state", state, StringComparison.Ordinal));

        var (exitCode, output, error) = await CliRun.RunAsync(["token", subcommand, "-f", file, .. rest]);

        Assert.Equal(ExitCodes.Failure, exitCode);
        Assert.Contains("admin.conf", error, StringComparison.Ordinal);
        Assert.Contains("bootstrap init", error, StringComparison.Ordinal);
        Assert.Empty(output);
    }
}
