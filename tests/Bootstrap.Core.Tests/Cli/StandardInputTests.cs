using Bootstrap.Cli;
using Bootstrap.Core.Config;
using Bootstrap.Core.Tests.Pki;

namespace Bootstrap.Core.Tests.Cli;

/// <summary><c>-f -</c> reads the cluster file from standard input, for every command that takes -f; findings name it &lt;stdin&gt;.</summary>
public sealed class StandardInputTests : IDisposable
{
    private readonly TemporaryDirectory _directory = new();

    private static string Lab => File.ReadAllText(LabCluster.File);

    public void Dispose() => _directory.Dispose();

    [Fact]
    public async Task Validate_reads_a_valid_file_from_standard_input()
    {
        var (exitCode, output, error) = await CliRun.RunWithInputAsync(Lab, null, "validate", "-f", "-");

        Assert.Equal(ExitCodes.Success, exitCode);
        Assert.Equal(string.Empty, error);
        Assert.StartsWith("<stdin>: OK: cluster \"lab\"", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Errors_in_standard_input_are_positioned_as_stdin_line_column()
    {
        var (exitCode, _, error) = await CliRun.RunWithInputAsync(Lab.Replace("name: lb1", "name: LB1", StringComparison.Ordinal), null, "validate", "-f", "-");

        Assert.Equal(ExitCodes.BadInput, exitCode);
        Assert.Equal(
            "<stdin>:42:13: spec.hosts[0].name: expected a host name: lowercase letters, digits and '-' (an RFC 1123 label, at most 63 characters); found \"LB1\"\n"
                + "<stdin>: 1 error(s); the cluster file is not valid\n",
            error);
    }

    [Fact]
    public async Task Json_output_names_the_file_stdin_and_escapes_quotes_readably()
    {
        var (exitCode, output, _) = await CliRun.RunWithInputAsync(Lab.Replace("name: lb1", "name: 'l\"b'", StringComparison.Ordinal), null, "validate", "-f", "-", "-o", "json");

        Assert.Equal(ExitCodes.BadInput, exitCode);
        Assert.Contains("\"file\": \"<stdin>\"", output, StringComparison.Ordinal);
        Assert.Contains("found \\\"l\\\"b\\\"", output, StringComparison.Ordinal);
        Assert.DoesNotContain("\\u0022", output, StringComparison.Ordinal);
        Assert.DoesNotContain("\\u003C", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Certs_generate_reads_the_cluster_file_from_standard_input()
    {
        var state = _directory.Combine("state");

        var (exitCode, output, error) = await CliRun.RunWithInputAsync(Lab, null, "certs", "generate", "-f", "-", "--state-dir", state);

        Assert.True(exitCode == ExitCodes.Success, error);
        Assert.Contains("[certs] ca: created", output, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(state, "request.json")));
    }

    [Fact]
    public async Task Preflight_reads_the_cluster_file_from_standard_input()
    {
        var (exitCode, output, error) = await CliRun.RunWithInputAsync(Lab, new FakeMachines(), "preflight", "-f", "-");

        Assert.True(exitCode == ExitCodes.Success, error);
        Assert.StartsWith("preflight: completed", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_password_prompt_cannot_share_standard_input_with_the_cluster_file()
    {
        var text = Lab.Replace("    port: 22\n", "    port: 22\n    password: prompt\n", StringComparison.Ordinal);

        var (exitCode, _, error) = await CliRun.RunWithInputAsync(text, null, "validate", "-f", "-");

        Assert.Equal(ExitCodes.BadInput, exitCode);
        Assert.StartsWith("<stdin>:34:15: spec.ssh.password: password: prompt reads the terminal, but standard input holds the cluster file (-f -)", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task More_than_a_cluster_file_on_standard_input_is_refused_without_parsing_it()
    {
        var (exitCode, _, error) = await CliRun.RunWithInputAsync(new string('#', ClusterConfigLoader.MaxFileBytes + 10), null, "validate", "-f", "-");

        Assert.Equal(ExitCodes.BadInput, exitCode);
        Assert.StartsWith($"<stdin>: standard input holds more than {ClusterConfigLoader.MaxFileBytes} characters; expected a cluster file", error, StringComparison.Ordinal);
    }
}
