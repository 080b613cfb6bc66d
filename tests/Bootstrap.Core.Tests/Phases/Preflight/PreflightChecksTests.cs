using Bootstrap.Core.Config;
using Bootstrap.Core.Phases.Preflight;
using Bootstrap.Core.Remote.Facts;
using Bootstrap.Core.Tests.Workflow;

namespace Bootstrap.Core.Tests.Phases.Preflight;

public sealed class PreflightChecksTests
{
    private static readonly ClusterConfig Lab = WorkflowFixtures.LabConfig;
    private static readonly TimeSpan MaxSkew = TimeSpan.FromSeconds(2);

    private static HostSpec Host(string name) => Lab.Hosts.Single(h => h.Name == name);

    private static PreflightProbe Healthy(string name, int index) => new()
    {
        Host = name,
        Facts = new HostFacts
        {
            Host = name,
            OsId = "debian",
            OsVersion = "12",
            Architecture = "amd64",
            Hostname = name,
            InitSystem = InitSystem.Systemd,
            Cpus = 2,
            MemoryBytes = 2048L * 1024 * 1024,
            IPv4Addresses = [],
            Binaries = new Dictionary<string, string?>(),
        },
        ListeningPorts = new SortedSet<int> { 22 },
        Swaps = [],
        Binaries = PreflightRequirements.For(Host(name), Lab).AllBinaries.ToDictionary(b => b, b => (string?)("/usr/bin/" + b)),
        BridgeNetfilter = true,
        IpForward = "1",
        KernelTunableMismatches = [],
        ProcSysWritable = true,
        SysctlOverrides = [],
        MacAddresses = [$"5a:00:00:00:00:{index:x2}"],
        ProductUuid = $"00000000-0000-0000-0000-0000000000{index:x2}",
        ClockOffset = TimeSpan.FromMilliseconds(30),
    };

    private static IReadOnlyList<PreflightProbe> Cluster(params PreflightProbe[] replaced) =>
        Lab.Hosts.Select((h, i) => replaced.FirstOrDefault(p => p.Host == h.Name) ?? Healthy(h.Name, i)).ToList();

    private static IReadOnlyList<CheckResult> Evaluate(string host, params PreflightProbe[] replaced)
    {
        var cluster = Cluster(replaced);
        return PreflightChecks.Evaluate(Host(host), PreflightRequirements.For(Host(host), Lab), cluster.Single(p => p.Host == host), cluster, MaxSkew);
    }

    private static CheckResult Check(IReadOnlyList<CheckResult> results, string name) => results.Single(r => r.Name == name);

    [Fact]
    public void Control_plane_needs_the_kubeadm_ports_including_stacked_etcd_and_its_kubelet()
    {
        Assert.Equal([2379, 2380, 6443, 10250, 10257, 10259], PreflightRequirements.For(Host("cp1"), Lab).Ports);
    }

    [Fact]
    public void Worker_needs_the_kubelet_port_and_load_balancer_the_endpoint_port_and_haproxys_monitor_port()
    {
        Assert.Equal([10250], PreflightRequirements.For(Host("w1"), Lab).Ports);
        Assert.Equal([6443, 8404], PreflightRequirements.For(Host("lb1"), Lab).Ports);
        Assert.Equal("haproxy", PreflightRequirements.For(Host("lb1"), Lab).OwnPrograms[8404]);
    }

    [Fact]
    public void Load_balancer_needs_haproxy_keepalived_and_curl_for_its_check_but_no_container_runtime()
    {
        var lb = PreflightRequirements.For(Host("lb1"), Lab);

        Assert.Equal(["systemctl", "haproxy", "keepalived", "curl"], lb.Binaries);
        Assert.False(lb.IsNode);
        Assert.Contains("containerd", PreflightRequirements.For(Host("w1"), Lab).Binaries);
        Assert.Contains("runc", PreflightRequirements.For(Host("cp1"), Lab).Binaries);
    }

    [Fact]
    public void Control_plane_needs_curl_for_the_health_checks_it_runs_there()
    {
        Assert.Contains("curl", PreflightRequirements.For(Host("cp1"), Lab).Binaries);
        Assert.DoesNotContain("curl", PreflightRequirements.For(Host("w1"), Lab).Binaries);
    }

    [Fact]
    public void A_healthy_control_plane_passes_every_check()
    {
        var results = Evaluate("cp1");

        Assert.All(results, r => Assert.Equal(CheckSeverity.Ok, r.Severity));
        Assert.Contains(results, r => r.Name == "Port-6443");
        Assert.Contains(results, r => r.Name == "FileExisting-conntrack");
        Assert.Contains(results, r => r.Name == "FileContent--proc-sys-net-ipv4-ip_forward");
    }

    [Fact]
    public void A_control_plane_with_one_cpu_and_little_memory_fails_kubeadm_minimums()
    {
        var probe = Healthy("cp2", 3) with { Facts = Healthy("cp2", 3).Facts with { Cpus = 1, MemoryBytes = 1600L * 1024 * 1024 } };

        var results = Evaluate("cp2", probe);

        Assert.Equal("[ERROR NumCPU]: the number of available CPUs 1 is less than the required 2", Check(results, "NumCPU").ToString());
        Assert.Equal("[ERROR Mem]: the system RAM (1600 MB) is less than the minimum 1700 MB", Check(results, "Mem").ToString());
    }

    [Fact]
    public void A_worker_with_one_cpu_and_512_MB_is_fine()
    {
        var probe = Healthy("w1", 5) with { Facts = Healthy("w1", 5).Facts with { Cpus = 1, MemoryBytes = 512L * 1024 * 1024 } };

        var results = Evaluate("w1", probe);

        Assert.Equal(CheckSeverity.Ok, Check(results, "NumCPU").Severity);
        Assert.Equal(CheckSeverity.Ok, Check(results, "Mem").Severity);
    }

    [Fact]
    public void A_port_in_use_fails_its_own_check_only()
    {
        var results = Evaluate("cp2", Healthy("cp2", 3) with { ListeningPorts = new SortedSet<int> { 22, 6443 } });

        Assert.Equal("[ERROR Port-6443]: port 6443 is in use", Check(results, "Port-6443").ToString());
        Assert.Equal(["Port-6443"], results.Where(r => r.Severity == CheckSeverity.Error).Select(r => r.Name));
    }

    [Fact]
    public void On_a_re_run_the_ports_held_by_Bootstraps_own_services_pass_and_a_stranger_on_one_still_fails()
    {
        var owners = new Dictionary<int, IReadOnlySet<string>>
        {
            [6443] = new SortedSet<string> { "kube-apiserver" },
            [2379] = new SortedSet<string> { "etcd" },
            [2380] = new SortedSet<string> { "etcd" },
            // The kernel's comm is cut at 15 characters.
            [10257] = new SortedSet<string> { "kube-controller" },
            [10259] = new SortedSet<string> { "nginx" },
        };
        var results = Evaluate("cp2", Healthy("cp2", 3) with { ListeningPorts = new SortedSet<int>(owners.Keys), PortOwners = owners });

        Assert.Equal("[OK Port-6443]: port 6443 is held by kube-apiserver, which Bootstrap runs here (a re-run)", Check(results, "Port-6443").ToString());
        Assert.Equal(CheckSeverity.Ok, Check(results, "Port-2380").Severity);
        Assert.Equal(CheckSeverity.Ok, Check(results, "Port-10257").Severity);
        Assert.Equal("[ERROR Port-10259]: port 10259 is in use by nginx", Check(results, "Port-10259").ToString());
        Assert.Equal(["Port-10259"], results.Where(r => r.Severity == CheckSeverity.Error).Select(r => r.Name));
    }

    [Fact]
    public void Haproxy_on_the_endpoint_port_passes_on_a_load_balancer_but_kube_apiserver_there_does_not()
    {
        var haproxy = new Dictionary<int, IReadOnlySet<string>> { [6443] = new SortedSet<string> { "haproxy" } };
        var apiserver = new Dictionary<int, IReadOnlySet<string>> { [6443] = new SortedSet<string> { "kube-apiserver" } };

        var lb = Evaluate("lb1", Healthy("lb1", 0) with { ListeningPorts = new SortedSet<int> { 6443 }, PortOwners = haproxy });
        var wrong = Evaluate("lb1", Healthy("lb1", 0) with { ListeningPorts = new SortedSet<int> { 6443 }, PortOwners = apiserver });

        Assert.Equal(CheckSeverity.Ok, Check(lb, "Port-6443").Severity);
        Assert.Equal("[ERROR Port-6443]: port 6443 is in use by kube-apiserver", Check(wrong, "Port-6443").ToString());
    }

    [Fact]
    public void Swap_on_forwarding_off_and_no_bridge_netfilter_are_errors_on_a_node()
    {
        var results = Evaluate("w2", Healthy("w2", 6) with { Swaps = ["/swapfile"], IpForward = "0", BridgeNetfilter = false });

        Assert.Equal(CheckSeverity.Error, Check(results, "Swap").Severity);
        Assert.Contains("/swapfile", Check(results, "Swap").Message, StringComparison.Ordinal);
        Assert.Equal(CheckSeverity.Error, Check(results, "FileContent--proc-sys-net-ipv4-ip_forward").Severity);
        Assert.Equal(CheckSeverity.Error, Check(results, "KernelModule-br_netfilter").Severity);
    }

    [Fact]
    public void A_load_balancer_is_not_checked_for_forwarding()
    {
        var results = Evaluate("lb1", Healthy("lb1", 0) with { IpForward = "0" });

        Assert.DoesNotContain(results, r => r.Name.StartsWith("FileContent", StringComparison.Ordinal));
        Assert.DoesNotContain(results, r => r.Name == "KernelDefaults");
    }

    [Fact]
    public void Kernel_settings_kubelet_start_will_set_are_a_warning_naming_each_difference()
    {
        var probe = Healthy("w1", 5) with { KernelTunableMismatches = ["vm.overcommit_memory is 0, the kubelet needs 1", "kernel.panic is 0, the kubelet needs 10"] };

        var check = Check(Evaluate("w1", probe), "KernelDefaults");

        Assert.Equal(CheckSeverity.Warning, check.Severity);
        Assert.Equal(
            "vm.overcommit_memory is 0, the kubelet needs 1; kernel.panic is 0, the kubelet needs 10: kubelet-start writes /etc/sysctl.d/90-bootstrap-kubelet.conf and applies it before the kubelet starts",
            check.Message);
        Assert.Equal(CheckSeverity.Ok, Check(Evaluate("w1"), "KernelDefaults").Severity);
    }

    [Fact]
    public void Differing_kernel_settings_with_a_read_only_proc_sys_are_an_error()
    {
        var probe = Healthy("cp1", 2) with { KernelTunableMismatches = ["kernel.panic is 0, the kubelet needs 10"], ProcSysWritable = false };

        var check = Check(Evaluate("cp1", probe), "KernelDefaults");

        Assert.Equal(CheckSeverity.Error, check.Severity);
        Assert.Contains("/proc/sys is read-only here", check.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_sysctl_d_file_undoing_the_drop_in_at_boot_is_an_error_even_when_the_kernel_is_right_now()
    {
        var probe = Healthy("w2", 6) with { SysctlOverrides = ["/etc/sysctl.d/99-sysctl.conf sets kernel.panic = 0 after /etc/sysctl.d/90-bootstrap-kubelet.conf (the kubelet needs 10)"] };

        var check = Check(Evaluate("w2", probe), "KernelDefaults");

        Assert.Equal(CheckSeverity.Error, check.Severity);
        Assert.StartsWith("/etc/sysctl.d/99-sysctl.conf sets kernel.panic = 0", check.Message, StringComparison.Ordinal);
        Assert.Contains("after a reboot the kubelet (protectKernelDefaults) would refuse to start", check.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void With_protect_kernel_defaults_patched_off_the_kernel_settings_are_not_required()
    {
        using var patch = System.Text.Json.JsonDocument.Parse("""{"protectKernelDefaults":false}""");
        var config = Lab with { Kubelet = new KubeletSpec { ConfigPatch = patch.RootElement.Clone() } };
        var probe = Healthy("w1", 5) with { KernelTunableMismatches = ["kernel.panic is 0, the kubelet needs 10"], ProcSysWritable = false };

        var results = PreflightChecks.Evaluate(Host("w1"), PreflightRequirements.For(Host("w1"), config), probe, Cluster(probe), MaxSkew);

        Assert.Equal(CheckSeverity.Ok, Check(results, "KernelDefaults").Severity);
    }

    [Fact]
    public void Missing_required_binary_is_an_error_and_missing_optional_one_a_warning()
    {
        var probe = Healthy("w1", 5);
        var binaries = probe.Binaries.ToDictionary(kv => kv.Key, kv => kv.Key is "conntrack" or "ethtool" ? null : kv.Value);

        var results = Evaluate("w1", probe with { Binaries = binaries });

        Assert.Equal("[ERROR FileExisting-conntrack]: conntrack not found in the system path", Check(results, "FileExisting-conntrack").ToString());
        Assert.Equal(CheckSeverity.Warning, Check(results, "FileExisting-ethtool").Severity);
    }

    [Fact]
    public void Clock_skew_over_the_threshold_is_a_warning_saying_which_way()
    {
        var results = Evaluate("cp3", Healthy("cp3", 4) with { ClockOffset = TimeSpan.FromSeconds(-42.5) });

        var skew = Check(results, "ClockSkew");
        Assert.Equal(CheckSeverity.Warning, skew.Severity);
        Assert.Contains("42.5s behind this workstation", skew.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Duplicate_host_name_and_mac_are_errors_naming_the_other_host()
    {
        var w1 = Healthy("w1", 5);
        var w2 = Healthy("w2", 6) with { Facts = Healthy("w2", 6).Facts with { Hostname = "w1" }, MacAddresses = w1.MacAddresses };

        var results = Evaluate("w2", w1, w2);

        Assert.Equal("[ERROR HostnameUnique]: host name w1 is also the host name of w1", Check(results, "HostnameUnique").ToString());
        Assert.Contains("(also on w1)", Check(results, "MACUnique").Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Two_hundred_clones_each_name_five_others_and_how_many_more_so_the_report_does_not_grow_with_the_square()
    {
        var w1 = Healthy("w1", 5) with { MacAddresses = ["5a:00:00:00:00:05", "5a:00:00:00:01:05"] };
        var cluster = Enumerable.Range(2, 199).Select(i => w1 with { Host = $"w{i}" }).Prepend(w1).ToList();

        var results = PreflightChecks.Evaluate(Host("w1"), PreflightRequirements.For(Host("w1"), Lab), w1, cluster, MaxSkew);

        Assert.Equal("[ERROR HostnameUnique]: host name w1 is also the host name of w2, w3, w4, w5, w6 and 194 more", Check(results, "HostnameUnique").ToString());
        Assert.Equal(
            "MAC addresses shared with other hosts: 5a:00:00:00:00:05, 5a:00:00:00:01:05 (also on w2, w3, w4, w5, w6 and 194 more)",
            Check(results, "MACUnique").Message);
        Assert.EndsWith("is also the product_uuid of w2, w3, w4, w5, w6 and 194 more (cloned machine?)", Check(results, "ProductUUIDUnique").Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Macs_shared_with_different_hosts_name_each_its_own_hosts()
    {
        var w1 = Healthy("w1", 5) with { MacAddresses = ["5a:00:00:00:00:05", "5a:00:00:00:01:05"] };
        var w2 = Healthy("w2", 6) with { MacAddresses = ["5a:00:00:00:00:05"] };
        var cp1 = Healthy("cp1", 2) with { MacAddresses = ["5a:00:00:00:01:05"] };

        var results = Evaluate("w1", w1, w2, cp1);

        Assert.Equal(
            "MAC addresses shared with other hosts: 5a:00:00:00:00:05 (also on w2), 5a:00:00:00:01:05 (also on cp1)",
            Check(results, "MACUnique").Message);
    }

    [Fact]
    public void Duplicate_product_uuid_is_an_error_and_an_unreadable_one_a_warning()
    {
        var cp1 = Healthy("cp1", 2);
        var duplicate = Evaluate("cp2", cp1, Healthy("cp2", 3) with { ProductUuid = cp1.ProductUuid });
        var unreadable = Evaluate("cp3", Healthy("cp3", 4) with { ProductUuid = null, ProductUuidProblem = "cannot read /sys/class/dmi/id/product_uuid: No such file or directory" });

        Assert.Equal(CheckSeverity.Error, Check(duplicate, "ProductUUIDUnique").Severity);
        Assert.Contains("cp1", Check(duplicate, "ProductUUIDUnique").Message, StringComparison.Ordinal);
        Assert.Equal(CheckSeverity.Warning, Check(unreadable, "ProductUUIDUnique").Severity);
        Assert.Contains("No such file", Check(unreadable, "ProductUUIDUnique").Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Not_root_and_no_passwordless_sudo_is_an_error()
    {
        var results = Evaluate("w1", Healthy("w1", 5) with { PrivilegeProblem = "cannot run commands as root (sudo -n id -u exited 1: sudo: a password is required)" });

        Assert.Equal(CheckSeverity.Error, Check(results, "IsPrivilegedUser").Severity);
    }

    [Fact]
    public void Ignored_errors_become_warnings_by_name_in_any_case_and_all_ignores_every_error()
    {
        var results = Evaluate("cp2", Healthy("cp2", 3) with { ListeningPorts = new SortedSet<int> { 6443, 10250 }, Swaps = ["/swapfile"] });

        var some = IgnoredPreflightErrors.Parse(["port-6443,Swap"]).Apply(results);
        var all = IgnoredPreflightErrors.Parse(["all"]).Apply(results);

        Assert.Equal(["Port-10250"], some.Where(r => r.Severity == CheckSeverity.Error).Select(r => r.Name));
        Assert.Equal(
            "[WARNING Port-6443]: port 6443 is in use (error ignored by --ignore-preflight-errors)",
            some.Single(r => r.Name == "Port-6443").ToString());
        Assert.DoesNotContain(all, r => r.Severity == CheckSeverity.Error);
    }

    [Fact]
    public void All_combined_with_names_is_refused()
    {
        Assert.Throws<ArgumentException>(() => IgnoredPreflightErrors.Parse(["all", "Swap"]));
    }

    [Theory]
    [InlineData("cp1")]
    [InlineData("w1")]
    [InlineData("lb1")]
    public void The_names_of_a_hosts_checks_are_those_its_evaluation_yields(string host)
    {
        Assert.Equal(Evaluate(host).Select(r => r.Name), PreflightChecks.Names(PreflightRequirements.For(Host(host), Lab)));
    }

    [Fact]
    public void A_host_whose_checks_all_fail_yields_the_same_names()
    {
        var broken = Healthy("cp2", 1) with
        {
            PrivilegeProblem = "sudo refused",
            Swaps = ["/swapfile"],
            ListeningPorts = new SortedSet<int> { 22, 6443, 2379 },
            Binaries = new Dictionary<string, string?>(),
            BridgeNetfilter = false,
            IpForward = "0",
            ProductUuid = null,
            ClockOffset = TimeSpan.FromMinutes(5),
        };

        Assert.Equal(Evaluate("cp2", broken).Select(r => r.Name), PreflightChecks.Names(PreflightRequirements.For(Host("cp2"), Lab)));
    }
}
