using System.Text.Json;
using Bootstrap.Ssh.Tests.Infrastructure;

namespace Bootstrap.Ssh.Tests.Cli;

/// <summary>
/// The acceptance test that SSH secrets never reach what the CLI prints or logs: the real <c>bootstrap</c>
/// process runs <c>preflight</c> against the test's sshd as a non-root user who logs in with a password and
/// whose sudo asks for it, and nothing it writes (stdout, stderr, the <c>--log-file</c>) contains the password.
/// </summary>
[Collection(SshdCollection.Name)]
[Trait("Category", "Sshd")]
public sealed class PreflightSecretsTests(SshdFixture sshd) : IDisposable
{
    private const string HostName = "node1";
    private const string PasswordVariable = "BOOTSTRAP_TEST_SSH_PASSWORD";

    private readonly string _directory = Directory.CreateTempSubdirectory("bootstrap-cli-secrets-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task A_password_from_an_environment_variable_never_reaches_json_output_stderr_or_the_log_file()
    {
        var run = await PreflightAsync($"env:{PasswordVariable}", sshd.Password, "--output", "json");

        AssertConnectedAndChecked(run);
        var hostEnd = JsonLines(run.Stdout).Single(e => e.GetProperty("event").GetString() == "host-end");
        Assert.Equal(HostName, hostEnd.GetProperty("host").GetString());
        Assert.Contains(hostEnd.GetProperty("details").EnumerateArray(), d => d.GetString() == "[OK IsPrivilegedUser]: commands run as root");
        AssertNowhere(sshd.Password, run);
    }

    [Fact]
    public async Task A_password_from_an_environment_variable_never_reaches_text_output_stderr_or_the_log_file()
    {
        var run = await PreflightAsync($"env:{PasswordVariable}", sshd.Password);

        AssertConnectedAndChecked(run);
        Assert.Contains($"\n  {HostName}: ", run.Stdout, StringComparison.Ordinal);
        Assert.Contains("    [OK IsPrivilegedUser]: commands run as root", run.Stdout, StringComparison.Ordinal);
        AssertNowhere(sshd.Password, run);
    }

    [Fact]
    public async Task A_password_from_a_file_never_reaches_output_stderr_or_the_log_file()
    {
        var json = await PreflightAsync($"file:{sshd.PasswordFile}", environmentPassword: null, "--output", "json");
        var text = await PreflightAsync($"file:{sshd.PasswordFile}", environmentPassword: null);

        AssertConnectedAndChecked(json);
        AssertConnectedAndChecked(text);
        Assert.Contains("    [OK IsPrivilegedUser]: commands run as root", text.Stdout, StringComparison.Ordinal);
        AssertNowhere(sshd.Password, json);
        AssertNowhere(sshd.Password, text);
    }

    [Fact]
    public async Task Sudo_commands_fed_the_password_on_stdin_are_logged_without_it()
    {
        var run = await PreflightAsync($"env:{PasswordVariable}", sshd.Password);

        AssertConnectedAndChecked(run);
        // sudo -n failing means this user's sudo asks for the password, so the sudo command below was fed it on stdin:
        // preflight's one session, which runs `id -u`, `ss -ltnpH` and the other reading commands as root.
        Assert.Contains($"{HostName}: sudo -n true exited 1", run.Stderr, StringComparison.Ordinal);
        Assert.Contains($"{HostName}: running sudo sh -c ", run.Stderr, StringComparison.Ordinal);
        Assert.Contains(" 2 id -u 3 uname -n -m ", run.Stderr, StringComparison.Ordinal);
        Assert.Contains(" 2 ss -ltnpH 3 test -d /proc/sys/net/bridge ", run.Stderr, StringComparison.Ordinal);
        Assert.Contains(" sh /etc/os-release /proc/1/comm /proc/meminfo /proc/swaps ", run.Stderr, StringComparison.Ordinal);
        Assert.Contains(" /sys/class/dmi/id/product_uuid 2 date +%s%N exited 0", run.Stderr, StringComparison.Ordinal);
        Assert.Contains("\"Command\":\"sudo sh -c ", run.Log, StringComparison.Ordinal);
        AssertNowhere(sshd.Password, run);
    }

    [Fact]
    public async Task A_wrong_password_fails_naming_the_host_with_exit_1_and_neither_password_is_printed()
    {
        var wrong = "wrong-" + Guid.NewGuid().ToString("N");

        foreach (var output in new[] { "text", "json" })
        {
            var run = await PreflightAsync($"env:{PasswordVariable}", wrong, "--output", output);

            Assert.True(run.ExitCode == 1, Describe(run).Replace(wrong, "[WRONG]", StringComparison.Ordinal));
            var login = $"{SshdFixture.SudoPasswordUser}@{sshd.Server.Address}:{sshd.Server.Port}";
            Assert.Contains($"ERR [connect] {HostName}: authentication as {login} failed", run.Stderr, StringComparison.Ordinal);
            Assert.Contains($"cannot reach {HostName}; no phase ran", run.Stderr, StringComparison.Ordinal);
            if (output == "json")
            {
                var end = JsonLines(run.Stdout)[^1];
                Assert.Equal(1, end.GetProperty("exitCode").GetInt32());
                Assert.StartsWith($"1 host(s) failed: {HostName}: authentication as {login} failed", end.GetProperty("error").GetString(), StringComparison.Ordinal);
            }

            AssertNowhere(wrong, run);
            AssertNowhere(sshd.Password, run);
        }
    }

    private async Task<Run> PreflightAsync(string passwordReference, string? environmentPassword, params string[] extra)
    {
        var id = Guid.NewGuid().ToString("N");
        var clusterFile = Path.Combine(_directory, $"cluster-{id}.yaml");
        var logFile = Path.Combine(_directory, $"run-{id}.log");
        await File.WriteAllTextAsync(clusterFile, $"""
            apiVersion: bootstrap.dev/v1alpha1
            kind: Cluster
            metadata:
              name: secrets
            spec:
              kubernetesVersion: v1.20.2
              controlPlaneEndpoint: {"{"} host: {sshd.Server.Address} {"}"}
              networking: {"{"} hostSubnet: 127.0.0.0/8, podSubnet: 10.244.0.0/16, serviceSubnet: 10.96.0.0/12 {"}"}
              loadBalancer: {"{"} type: external {"}"}
              artifacts: {"{"} directory: {Path.Combine(_directory, "artifacts")} {"}"}
              ssh:
                user: {SshdFixture.SudoPasswordUser}
                port: {sshd.Server.Port}
                password: "{passwordReference}"
                knownHosts: {sshd.KnownHosts}
                hostKeyPolicy: strict
                connectTimeout: 10s
              hosts:
                - {"{"} name: {HostName}, address: {sshd.Server.Address}, roles: [control-plane] {"}"}
              stateDirectory: {Path.Combine(_directory, "state")}

            """);
        var environment = new Dictionary<string, string>();
        if (environmentPassword is not null)
        {
            environment[PasswordVariable] = environmentPassword;
        }

        var (exitCode, stdout, stderr) = await BootstrapProcess.RunAsync(
            environment, ["preflight", "-f", clusterFile, "--verbose", "--log-file", logFile, .. extra]);
        var log = File.Exists(logFile) ? await File.ReadAllTextAsync(logFile) : string.Empty;
        return new Run(exitCode, stdout, stderr, log);
    }

    /// <summary>Preflight connected and ran its checks: 0, or 3 when this machine fails some (it is no Kubernetes host).</summary>
    private void AssertConnectedAndChecked(Run run)
    {
        Assert.True(run.ExitCode is 0 or 3, Describe(run));
        Assert.DoesNotContain("[connect] cannot reach", run.Stderr, StringComparison.Ordinal);
        Assert.Contains($"[preflight] {HostName}: ", run.Stderr, StringComparison.Ordinal);
        Assert.NotEmpty(run.Log);
    }

    private static void AssertNowhere(string secret, Run run)
    {
        Assert.False(run.Stdout.Contains(secret, StringComparison.Ordinal), "the secret is in stdout");
        Assert.False(run.Stderr.Contains(secret, StringComparison.Ordinal), "the secret is in stderr");
        Assert.False(run.Log.Contains(secret, StringComparison.Ordinal), "the secret is in the log file");
    }

    private static List<JsonElement> JsonLines(string stdout) =>
        [.. stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line => JsonDocument.Parse(line).RootElement)];

    // A failing test shows what was printed, with the fixture's password masked so the test itself does not leak it.
    private string Describe(Run run) =>
        $"exit {run.ExitCode}\nstdout:\n{run.Stdout}\nstderr:\n{run.Stderr}".Replace(sshd.Password, "[SECRET]", StringComparison.Ordinal);

    private sealed record Run(int ExitCode, string Stdout, string Stderr, string Log);
}
