using System.Text.Json;
using Bootstrap.Cli;

namespace Bootstrap.Core.Tests.Cli;

/// <summary>
/// <c>bootstrap preflight</c> and <c>bootstrap init phase preflight</c> through the real command tree
/// and workflow runner, in process, against in-memory hosts (the lab test runs them against real machines).
/// </summary>
public sealed class PreflightCommandTests
{
    private static readonly string LabFile = LabCluster.File;

    private readonly FakeMachines _machines = new();

    private Task<(int ExitCode, string Output, string Error)> RunAsync(params string[] args) => CliRun.RunAsync(_machines, args);

    [Fact]
    public async Task Healthy_hosts_pass_with_exit_0_and_a_report_per_host_and_check()
    {
        var (exitCode, output, error) = await RunAsync("preflight", "-f", LabFile);

        Assert.True(exitCode == ExitCodes.Success, error);
        Assert.StartsWith("preflight: completed", output, StringComparison.Ordinal);
        foreach (var host in new[] { "lb1", "lb2", "cp1", "cp2", "cp3", "w1", "w2" })
        {
            Assert.Contains($"\n  {host}: unchanged", output, StringComparison.Ordinal);
        }

        Assert.Contains("    [OK Port-6443]: port 6443 is free", output, StringComparison.Ordinal);
        Assert.Contains("    [WARNING ProductUUIDUnique]: /sys/class/dmi/id/product_uuid cannot be read (No such file or directory)", output, StringComparison.Ordinal);
        Assert.Contains("INF [preflight] cp2: unchanged", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_busy_port_fails_preflight_with_exit_3_naming_host_and_check()
    {
        _machines.Listening["cp2"] = [6443];

        var (exitCode, output, error) = await RunAsync("init", "phase", "preflight", "-f", LabFile);

        Assert.Equal(ExitCodes.PreflightFailed, exitCode);
        Assert.Contains("  cp2: failed", output, StringComparison.Ordinal);
        Assert.Contains("cp2: 1 preflight check(s) failed: Port-6443", output, StringComparison.Ordinal);
        Assert.Contains("    [ERROR Port-6443]: port 6443 is in use", output, StringComparison.Ordinal);
        Assert.Contains("  cp1: unchanged", output, StringComparison.Ordinal);
        Assert.Contains("ERR [preflight] cp2: [ERROR Port-6443]: port 6443 is in use", error, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Ignoring_the_failed_check_turns_it_into_a_warning_and_exit_0()
    {
        _machines.Listening["cp2"] = [6443];

        var (exitCode, output, _) = await RunAsync("preflight", "-f", LabFile, "--ignore-preflight-errors=port-6443");

        Assert.Equal(ExitCodes.Success, exitCode);
        Assert.Contains("[WARNING Port-6443]: port 6443 is in use by socat (error ignored by --ignore-preflight-errors)", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Json_output_is_one_event_per_line_accounting_for_the_phase_and_every_host()
    {
        _machines.Listening["w1"] = [10250];

        var (exitCode, output, _) = await RunAsync("preflight", "-f", LabFile, "--output", "json");

        Assert.Equal(ExitCodes.PreflightFailed, exitCode);
        var events = output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line => JsonDocument.Parse(line).RootElement).ToList();
        Assert.Equal("phase-start", events[0].GetProperty("event").GetString());
        Assert.Equal(7, events[0].GetProperty("hosts").GetArrayLength());
        var hosts = events.Where(e => e.GetProperty("event").GetString() == "host-end").ToList();
        Assert.Equal(7, hosts.Count);
        Assert.All(hosts, h => Assert.Equal("preflight", h.GetProperty("phase").GetString()));
        Assert.All(hosts, h => Assert.False(h.GetProperty("changed").GetBoolean()));
        var w1 = hosts.Single(h => h.GetProperty("host").GetString() == "w1");
        Assert.Equal("failed", w1.GetProperty("status").GetString());
        Assert.Equal("w1: 1 preflight check(s) failed: Port-10250", w1.GetProperty("error").GetString());
        Assert.Contains(w1.GetProperty("details").EnumerateArray(), d => d.GetString() == "[ERROR Port-10250]: port 10250 is in use by socat");
        Assert.True(w1.GetProperty("durationMs").GetDouble() >= 0);
        Assert.Equal(0, w1.GetProperty("waitMs").GetDouble()); // preflight reads; it waits for nothing
        Assert.Equal("failed", events[^2].GetProperty("state").GetString());
        Assert.Equal(0, events[^2].GetProperty("waitMs").GetDouble());
        Assert.Equal("run-end", events[^1].GetProperty("event").GetString());
        Assert.Equal(3, events[^1].GetProperty("exitCode").GetInt32());
    }

    [Fact]
    public async Task An_unreachable_host_is_named_exits_1_and_no_phase_runs()
    {
        _machines.Unreachable["cp3"] = "cannot connect to root@192.168.56.23:22: Connection refused";

        var (exitCode, output, error) = await RunAsync("preflight", "-f", LabFile);

        Assert.Equal(ExitCodes.Failure, exitCode);
        Assert.Equal(string.Empty, output);
        Assert.Contains("ERR [connect] cp3: cannot connect to root@192.168.56.23:22: Connection refused", error, StringComparison.Ordinal);
        Assert.Contains("cannot reach cp3; no phase ran and nothing was changed", error, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("preflight")]
    [InlineData("preflight", "-f", "x.yaml", "--no-such-flag")]
    [InlineData("init")]
    [InlineData("init", "phase", "certs", "-f", "x.yaml")]
    [InlineData("preflight", "-f", "x.yaml", "--output", "yaml")]
    public async Task Usage_errors_exit_2(params string[] args)
    {
        var (exitCode, _, error) = await RunAsync(args);

        Assert.Equal(ExitCodes.BadInput, exitCode);
        Assert.NotEqual(string.Empty, error);
    }

    [Fact]
    public async Task An_invalid_cluster_file_exits_2_with_its_errors_and_connects_to_nothing()
    {
        _machines.Unreachable["cp1"] = "must not be contacted";
        var file = Path.Combine(AppContext.BaseDirectory, "Config", "Malformed", "duplicate-host-name.yaml");

        var (exitCode, _, error) = await RunAsync("preflight", "-f", file);

        Assert.Equal(ExitCodes.BadInput, exitCode);
        Assert.Contains("duplicate-host-name.yaml:", error, StringComparison.Ordinal);
        Assert.DoesNotContain("must not be contacted", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Combining_all_with_names_in_ignore_preflight_errors_is_bad_input()
    {
        var (exitCode, _, error) = await RunAsync("preflight", "-f", LabFile, "--ignore-preflight-errors", "all,Swap");

        Assert.Equal(ExitCodes.BadInput, exitCode);
        Assert.Contains("\"all\" cannot be combined", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Init_help_shows_the_phase_tree_in_run_order()
    {
        var (exitCode, output, _) = await RunAsync("init", "--help");

        Assert.Equal(0, exitCode);
        string[] order = ["preflight", "certs", "kubeconfig", "artifacts", "etcd", "member", "health", "load-balancer", "control-plane", "apiserver", "controller-manager", "scheduler", "wait-control-plane"];
        var positions = order.Select(name => output.IndexOf("  " + name + " ", StringComparison.Ordinal)).ToArray();
        Assert.All(positions, p => Assert.True(p >= 0, output));
        Assert.Equal(positions.Order(), positions);
        Assert.Contains("--skip-phases", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Log_file_holds_one_json_object_per_line_with_host_and_phase()
    {
        var log = Path.Combine(Path.GetTempPath(), $"bootstrap-preflight-{Guid.NewGuid():N}.log");
        try
        {
            var (exitCode, _, _) = await RunAsync("preflight", "-f", LabFile, "--log-file", log);

            Assert.Equal(0, exitCode);
            var lines = (await File.ReadAllLinesAsync(log)).Select(line => JsonDocument.Parse(line).RootElement).ToList();
            Assert.Contains(lines, l => l.GetProperty("Properties").TryGetProperty("Host", out var host) && host.GetString() == "cp2"
                && l.GetProperty("Properties").GetProperty("Phase").GetString() == "preflight");
        }
        finally
        {
            File.Delete(log);
        }
    }
}
