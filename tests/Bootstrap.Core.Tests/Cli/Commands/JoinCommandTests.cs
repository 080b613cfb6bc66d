using Bootstrap.Cli;

namespace Bootstrap.Core.Tests.Cli.Commands;

/// <summary>
/// <c>bootstrap join</c>'s host selection through the real command tree against in-memory hosts (only preflight is
/// run here; the phases that join a node are verified on the lab).
/// </summary>
public sealed class JoinCommandTests
{
    private static readonly string LabFile = LabCluster.File;

    private static readonly string[] AllButPreflight = ["--skip-phases", "artifacts,containerd,images,kubelet-start,kubelet-client-csr,pod-network,mark-control-plane,kubelet-serving-csr,kube-proxy,node-eviction"];

    private readonly FakeMachines _machines = new();

    private Task<(int ExitCode, string Output, string Error)> RunAsync(params string[] args) => CliRun.RunAsync(_machines, args);

    [Fact]
    public async Task An_unknown_host_is_exit_2_naming_it_and_the_known_hosts_and_nothing_is_contacted()
    {
        var (exitCode, _, error) = await RunAsync("join", "-f", LabFile, "--host", "w1,w9");

        Assert.Equal(ExitCodes.BadInput, exitCode);
        Assert.Contains("unknown host \"w9\"", error, StringComparison.Ordinal);
        Assert.Contains("lb1, lb2, cp1, cp2, cp3, w1, w2", error, StringComparison.Ordinal);
        Assert.Empty(_machines.Connected);
    }

    [Fact]
    public async Task A_host_that_is_not_a_node_is_exit_2_listing_the_nodes()
    {
        var (exitCode, _, error) = await RunAsync("join", "-f", LabFile, "--host", "lb1");

        Assert.Equal(ExitCodes.BadInput, exitCode);
        Assert.Contains("\"lb1\" is not one that join runs on", error, StringComparison.Ordinal);
        Assert.Contains("cp1, cp2, cp3, w1, w2", error, StringComparison.Ordinal);
        Assert.Empty(_machines.Connected);
    }

    [Fact]
    public async Task Named_hosts_are_the_only_ones_connected_and_run_on()
    {
        var (exitCode, output, error) = await RunAsync(["join", "-f", LabFile, "--host", "w2", .. AllButPreflight]);

        Assert.True(exitCode == ExitCodes.Success, error);
        Assert.Equal(["w2"], _machines.Connected);
        Assert.Contains("\n  w2: unchanged", output, StringComparison.Ordinal);
        Assert.DoesNotContain("w1:", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Without_host_every_node_of_the_file_joins_and_no_load_balancer_is_touched()
    {
        var (exitCode, _, error) = await RunAsync(["join", "-f", LabFile, .. AllButPreflight]);

        Assert.True(exitCode == ExitCodes.Success, error);
        Assert.Equal(["cp1", "cp2", "cp3", "w1", "w2"], _machines.Connected.Order());
    }

    [Fact]
    public async Task Join_is_listed_with_the_common_workflow_flags_and_host()
    {
        var (exitCode, output, _) = await RunAsync("join", "--help");

        Assert.Equal(ExitCodes.Success, exitCode);
        foreach (var flag in new[] { "--host", "--skip-phases", "--ignore-preflight-errors", "--accept-new", "--output", "--log-file", "--file" })
        {
            Assert.Contains(flag, output, StringComparison.Ordinal);
        }
    }
}
