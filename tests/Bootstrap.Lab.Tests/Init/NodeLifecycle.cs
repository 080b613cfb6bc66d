using Bootstrap.Lab.Tests.Lab;
using static Bootstrap.Lab.Tests.Init.LabInspection;

namespace Bootstrap.Lab.Tests.Init;

/// <summary>The steps of <see cref="InitLabTests"/> that take nodes away and bring them back (issue 15's reset), on the installed lab cluster.</summary>
internal static class NodeLifecycle
{
    private static readonly string[] Footprint =
    [
        "/etc/kubernetes", "/var/lib/kubelet", "/var/lib/kube-proxy", "/var/lib/bootstrap", "/etc/cni/net.d/10-bootstrap-bridge.conflist",
        "/etc/containerd/config.toml", "/etc/systemd/system/kubelet.service", "/etc/systemd/system/kube-proxy.service",
        "/usr/local/bin/kubelet", "/usr/local/bin/kube-proxy",
    ];

    /// <summary>reset w2: its Node is gone and nothing Bootstrap put there is left; `join --host w2` brings it back Ready; a second reset of a reset host changes nothing.</summary>
    public static async Task AResetWorkerLeavesNothingAndJoinsBackAsync(LabPaths paths, LabClusterFile cluster)
    {
        var reset = await BootstrapProcess.RunAsync("reset", "-f", cluster.Path, "--host", "w2", "--output", "json");
        Assert.True(reset.ExitCode == 0, reset.Output);

        var node = await KubectlAsync(paths, cluster.AdminKubeconfig, "get", "node", "w2", "-o", "name");
        Assert.Contains("NotFound", node.Output, StringComparison.Ordinal);
        var left = await LabMachines.RunAsync(paths, Machine("w2"), ["sh", "-c", "for p in \"$@\"; do [ -e \"$p\" ] && echo \"$p\"; done; systemctl list-unit-files --no-legend 'kube*'; iptables-save | grep -c KUBE- || true", "left", .. Footprint]);
        Assert.Equal("0", left.Stdout.Trim());
        foreach (var unit in new[] { "kubelet.service", "kube-proxy.service", "containerd.service" })
        {
            var active = await LabMachines.RunAsync(paths, Machine("w2"), "systemctl", "is-active", unit);
            Assert.NotEqual("active", active.Stdout.Trim());
        }

        var again = await BootstrapProcess.RunAsync("reset", "-f", cluster.Path, "--host", "w2", "--output", "json");
        Assert.True(again.ExitCode == 0, again.Output);
        Assert.Empty(LifecycleGuards.Changes(again.Stdout));

        var join = await BootstrapProcess.RunAsync("join", "-f", cluster.Path, "--host", "w2");
        Assert.True(join.ExitCode == 0, join.Output);
        var ready = await KubectlAsync(paths, cluster.AdminKubeconfig, "get", "node", "w2", "-o", "jsonpath={.status.conditions[?(@.type==\"Ready\")].status}");
        Assert.Equal("True", ready.Stdout.Trim());
    }

    /// <summary>reset of a host that is powered off: its Node is deleted, the command says the host was not touched (exit 1); once back, reset and join bring it back.</summary>
    public static async Task AnUnreachableHostHasItsClusterSideResetAsync(LabPaths paths, LabClusterFile cluster)
    {
        var stop = await LabScript.RunAsync(TimeSpan.FromMinutes(2), null, "stop", "w1");
        Assert.True(stop.ExitCode == 0, stop.Output);
        ProcessResult reset;
        try
        {
            reset = await BootstrapProcess.RunAsync("reset", "-f", cluster.Path, "--host", "w1");
        }
        finally
        {
            var start = await LabScript.RunAsync(TimeSpan.FromMinutes(3), null, "start", "w1");
            Assert.True(start.ExitCode == 0, start.Output);
        }

        Assert.True(reset.ExitCode == 1, reset.Output);
        Assert.Contains("deleted Node w1", reset.Stdout, StringComparison.Ordinal);
        Assert.Contains("w1 could not be reached: the cluster side is done for them, nothing on them was changed", reset.Output, StringComparison.Ordinal);

        // Powered on again, its kubelet (never reset) registers the Node anew: the host is reset, then joins back.
        var again = await BootstrapProcess.RunAsync("reset", "-f", cluster.Path, "--host", "w1");
        Assert.True(again.ExitCode == 0, again.Output);
        var join = await BootstrapProcess.RunAsync("join", "-f", cluster.Path, "--host", "w1");
        Assert.True(join.ExitCode == 0, join.Output);
    }
}
