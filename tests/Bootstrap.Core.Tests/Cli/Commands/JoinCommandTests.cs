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
    public async Task Named_hosts_are_the_only_ones_run_on_and_the_control_planes_are_connected_only_for_the_run_lease()
    {
        var (exitCode, output, error) = await RunAsync(["join", "-f", LabFile, "--host", "w2", .. AllButPreflight]);

        Assert.True(exitCode == ExitCodes.Success, error);
        // w2 to run on; the control planes only for the cluster's run lease (a connection of its own each).
        Assert.Equal(["cp1", "cp2", "cp3", "w2"], _machines.Connected.Order());
        Assert.Contains("\n  w2: unchanged", output, StringComparison.Ordinal);
        Assert.DoesNotContain("w1:", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Without_host_every_node_of_the_file_joins_and_no_load_balancer_is_touched()
    {
        var (exitCode, _, error) = await RunAsync(["join", "-f", LabFile, .. AllButPreflight]);

        Assert.True(exitCode == ExitCodes.Success, error);
        // Each control plane once: the cluster's run lease is taken on the run's own connection (it was a second one each).
        Assert.Equal(["cp1", "cp2", "cp3", "w1", "w2"], _machines.Connected.Order());
    }

    [Fact]
    public async Task A_run_takes_the_clusters_lease_on_each_control_plane_before_its_phases_and_gives_it_back()
    {
        var (exitCode, output, error) = await RunAsync(["join", "-f", LabFile, "--host", "w2", .. AllButPreflight]);

        Assert.True(exitCode == ExitCodes.Success, error);
        Assert.Contains("\n  w2: unchanged", output, StringComparison.Ordinal);
        Assert.Equal(["acquire cp1", "acquire cp2", "acquire cp3"], _machines.LeaseCommands.Take(3).Order());
        Assert.Equal(["release cp1", "release cp2", "release cp3"], _machines.LeaseCommands.Skip(3).Order());
    }

    [Fact]
    public async Task A_run_is_refused_naming_the_run_that_holds_the_lease_and_runs_nothing()
    {
        _machines.LeaseHeldBy = "pid 4242 on laptop-a (user alice), `bootstrap init -f a.yaml`, since 2026-12-07T03:00:00Z";

        var (exitCode, output, error) = await RunAsync(["join", "-f", LabFile, "--host", "w2", .. AllButPreflight]);

        Assert.Equal(ExitCodes.Failure, exitCode);
        Assert.Contains(
            "[lease] the cluster is in use by another bootstrap run: pid 4242 on laptop-a (user alice), `bootstrap init -f a.yaml`, since 2026-12-07T03:00:00Z, on cp1 (its SSH session there is process ",
            error, StringComparison.Ordinal);
        Assert.DoesNotContain("w2:", output, StringComparison.Ordinal);
        Assert.DoesNotContain("release", string.Join(' ', _machines.LeaseCommands), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_dry_run_takes_no_lease()
    {
        _machines.LeaseHeldBy = "another run";

        var (_, _, error) = await RunAsync(["plan", "-f", LabFile, .. AllButPreflight]);

        // The plan went on to its phases (which these fakes cannot answer), where a run that changes hosts holds the lease.
        Assert.Contains("[identity] running on", error, StringComparison.Ordinal);
        Assert.DoesNotContain("[lease]", error, StringComparison.Ordinal);
        Assert.Empty(_machines.LeaseCommands);
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
