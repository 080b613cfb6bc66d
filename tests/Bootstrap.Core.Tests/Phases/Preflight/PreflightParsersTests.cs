using Bootstrap.Core.Phases.Preflight;

namespace Bootstrap.Core.Tests.Phases.Preflight;

public sealed class PreflightParsersTests
{
    [Fact]
    public void Listening_ports_are_read_from_every_address_form_ss_prints()
    {
        const string ss = """
            LISTEN 0      4096         0.0.0.0:22         0.0.0.0:*
            LISTEN 0      4096       127.0.0.1:2379       0.0.0.0:*
            LISTEN 0      4096   127.0.0.53%lo:53         0.0.0.0:*
            LISTEN 0      5                  *:6443             *:*
            LISTEN 0      4096            [::]:10250         [::]:*
            LISTEN 0      4096   [fe80::1%eth0]:10259        [::]:*
            """;

        Assert.Equal([22, 53, 2379, 6443, 10250, 10259], PreflightParsers.ParseListeningPorts(ss));
    }

    [Fact]
    public void No_listeners_means_no_ports()
    {
        Assert.Empty(PreflightParsers.ParseListeningPorts("\n"));
    }

    [Theory]
    [InlineData("LISTEN 0 5")]
    [InlineData("LISTEN 0 5 0.0.0.0:http 0.0.0.0:*")]
    [InlineData("LISTEN 0 5 0.0.0.0:70000 0.0.0.0:*")]
    public void Unexpected_ss_output_is_refused_rather_than_read_as_free_ports(string line)
    {
        var error = Assert.Throws<FormatException>(() => PreflightParsers.ParseListeningPorts(line));

        Assert.Contains("ss -ltnH", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Proc_swaps_with_only_its_header_means_swap_is_off()
    {
        Assert.Empty(PreflightParsers.ParseSwaps("Filename\t\t\t\tType\t\tSize\t\tUsed\t\tPriority\n"));
    }

    [Fact]
    public void Proc_swaps_lists_each_active_area()
    {
        const string swaps = """
            Filename				Type		Size		Used		Priority
            /dev/sda2                               partition	2097148		0		-2
            /swapfile                               file		1048572		0		-3
            """;

        Assert.Equal(["/dev/sda2", "/swapfile"], PreflightParsers.ParseSwaps(swaps));
    }

    [Fact]
    public void Mac_addresses_are_the_ether_links_without_loopback_or_duplicates()
    {
        const string ip = """
            1: lo: <LOOPBACK,UP,LOWER_UP> mtu 65536 qdisc noqueue state UNKNOWN mode DEFAULT group default qlen 1000\    link/loopback 00:00:00:00:00:00 brd 00:00:00:00:00:00
            2: eth0@if5: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc noqueue state UP mode DEFAULT group default qlen 1000\    link/ether 5A:1E:0B:7C:22:01 brd ff:ff:ff:ff:ff:ff link-netnsid 0
            3: dummy0: <BROADCAST,NOARP> mtu 1500 qdisc noop state DOWN mode DEFAULT group default qlen 1000\    link/ether 00:00:00:00:00:00 brd ff:ff:ff:ff:ff:ff
            4: bond0.10@bond0: <BROADCAST,MULTICAST> mtu 1500 qdisc noop state DOWN mode DEFAULT group default qlen 1000\    link/ether 5a:1e:0b:7c:22:01 brd ff:ff:ff:ff:ff:ff
            """;

        Assert.Equal(["5a:1e:0b:7c:22:01"], PreflightParsers.ParseMacAddresses(ip));
    }

    [Fact]
    public void Date_in_nanoseconds_is_read_to_the_tick()
    {
        var time = PreflightParsers.ParseEpochNanoseconds("1763926027123456789\n");

        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1763926027).AddTicks(1234567), time);
    }

    [Theory]
    [InlineData("1763926027%N")]
    [InlineData("")]
    [InlineData("-5")]
    public void Date_without_nanosecond_support_is_refused(string output)
    {
        Assert.Throws<FormatException>(() => PreflightParsers.ParseEpochNanoseconds(output));
    }

    [Fact]
    public void Port_owners_come_from_the_users_column_of_ss_p_every_program_per_port()
    {
        const string ss = """
            LISTEN 0      4096       127.0.0.1:10257      0.0.0.0:*    users:(("kube-controller",pid=931,fd=7))
            LISTEN 0      4096               *:6443             *:*    users:(("kube-apiserver",pid=812,fd=7))
            LISTEN 0      128          0.0.0.0:22         0.0.0.0:*    users:(("sshd",pid=101,fd=3),("sshd",pid=205,fd=3))
            LISTEN 0      128             [::]:22            [::]:*    users:(("sshd",pid=101,fd=4))
            LISTEN 0      128          0.0.0.0:8080       0.0.0.0:*    users:(("a",pid=1,fd=3),("b",pid=2,fd=3))
            """;

        var owners = PreflightParsers.ParsePortOwners(ss);

        Assert.Equal([22, 6443, 8080, 10257], owners.Keys);
        Assert.Equal(["kube-controller"], owners[10257]);
        Assert.Equal(["sshd"], owners[22]);
        Assert.Equal(["a", "b"], owners[8080]);
    }
}
