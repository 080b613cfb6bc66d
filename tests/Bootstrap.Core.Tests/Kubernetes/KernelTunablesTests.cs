using Bootstrap.Core.Kubernetes;

namespace Bootstrap.Core.Tests.Kubernetes;

public sealed class KernelTunablesTests
{
    private const string Good = """
        vm.overcommit_memory = 1
        vm.panic_on_oom = 0
        kernel.panic = 10
        kernel.panic_on_oops = 1
        kernel.keys.root_maxkeys = 1000000
        kernel.keys.root_maxbytes = 25000000
        """;

    [Fact]
    public void The_required_settings_are_exactly_those_the_v1_20_kubelet_checks()
    {
        // pkg/kubelet/cm/container_manager_linux.go setupKernelTunables, values from pkg/util/sysctl (v1.20.2).
        Assert.Equal(
            ["vm.overcommit_memory=1", "vm.panic_on_oom=0", "kernel.panic=10", "kernel.panic_on_oops=1", "kernel.keys.root_maxkeys=1000000", "kernel.keys.root_maxbytes=25000000"],
            KernelTunables.Required.Select(t => t.ToString()));
        Assert.Equal("/proc/sys/kernel/keys/root_maxkeys", KernelTunables.Required[4].ProcPath);
        Assert.Equal(["sysctl", "vm.overcommit_memory", "vm.panic_on_oom", "kernel.panic", "kernel.panic_on_oops", "kernel.keys.root_maxkeys", "kernel.keys.root_maxbytes"], KernelTunables.ReadCommand);
    }

    [Fact]
    public void A_kernel_with_every_value_has_no_mismatch()
    {
        Assert.Empty(KernelTunables.Mismatches(Good));
    }

    [Fact]
    public void Each_differing_or_unreadable_setting_is_named_with_both_values()
    {
        var output = Good.Replace("vm.overcommit_memory = 1", "vm.overcommit_memory = 0", StringComparison.Ordinal)
            .Replace("kernel.panic = 10", "kernel.panic = 1", StringComparison.Ordinal)
            .Replace("kernel.keys.root_maxbytes = 25000000\n", string.Empty, StringComparison.Ordinal)
            .Replace("kernel.keys.root_maxbytes = 25000000", string.Empty, StringComparison.Ordinal);

        Assert.Equal(
            [
                "vm.overcommit_memory is 0, the kubelet needs 1",
                "kernel.panic is 1, the kubelet needs 10",
                "kernel.keys.root_maxbytes cannot be read, the kubelet needs 25000000",
            ],
            KernelTunables.Mismatches(output));
    }

    [Fact]
    public void A_later_sysctl_d_file_that_undoes_a_setting_at_boot_is_named()
    {
        const string catConfig = """
            # /usr/lib/sysctl.d/50-default.conf
            kernel.panic = 0
            # /etc/sysctl.d/90-bootstrap-kubelet.conf
            kernel.panic = 10
            vm.overcommit_memory = 1

            # /etc/sysctl.d/99-sysctl.conf
            #
            # /etc/sysctl.conf - Configuration file for setting system variables
            # See /etc/sysctl.d/ for additional system variables.
            vm/overcommit_memory = 0
            -kernel.panic_on_oops=0
            net.ipv4.ip_forward = 1
            """;

        Assert.Equal(
            [
                "/etc/sysctl.d/99-sysctl.conf sets kernel.panic_on_oops = 0 after /etc/sysctl.d/90-bootstrap-kubelet.conf (the kubelet needs 1)",
                "/etc/sysctl.d/99-sysctl.conf sets vm.overcommit_memory = 0 after /etc/sysctl.d/90-bootstrap-kubelet.conf (the kubelet needs 1)",
            ],
            KernelTunables.LaterOverrides(catConfig));
    }

    [Fact]
    public void Files_before_the_drop_in_and_later_files_that_agree_or_set_it_back_do_not_count()
    {
        const string catConfig = """
            # /usr/lib/sysctl.d/10-panic.conf
            kernel.panic = 0
            # /etc/sysctl.d/95-mine.conf
            kernel.panic = 10
            vm.panic_on_oom = 1
            # /etc/sysctl.d/99-sysctl.conf -> ../sysctl.conf
            vm.panic_on_oom = 0
            """;

        Assert.Empty(KernelTunables.LaterOverrides(catConfig));
    }
}
