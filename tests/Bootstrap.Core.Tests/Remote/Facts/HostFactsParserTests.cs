using Bootstrap.Core.Remote.Facts;

namespace Bootstrap.Core.Tests.Remote.Facts;

public sealed class HostFactsParserTests
{
    [Fact]
    public void Os_release_values_are_unquoted()
    {
        const string text = """
            PRETTY_NAME="Ubuntu 24.04.1 LTS"
            NAME='Ubuntu'
            # a comment
            VERSION_ID="24.04"
            ID=ubuntu
            ID_LIKE=debian
            QUOTED="say \"hi\""
            """;

        var values = HostFactsParser.ParseOsRelease(text);

        Assert.Equal("ubuntu", values["ID"]);
        Assert.Equal("24.04", values["VERSION_ID"]);
        Assert.Equal("Ubuntu", values["NAME"]);
        Assert.Equal("say \"hi\"", values["QUOTED"]);
    }

    [Theory]
    [InlineData("x86_64\n", "amd64")]
    [InlineData("aarch64", "arm64")]
    [InlineData("armv7l", "arm")]
    [InlineData("s390x", "s390x")]
    public void Architecture_uses_kubernetes_names(string uname, string expected) =>
        Assert.Equal(expected, HostFactsParser.NormalizeArchitecture(uname));

    [Theory]
    [InlineData("systemd\n", InitSystem.Systemd)]
    [InlineData("init", InitSystem.SysVinit)]
    [InlineData("openrc-init", InitSystem.OpenRc)]
    [InlineData("bash", InitSystem.Unknown)]
    public void Init_system_comes_from_pid_1(string comm, InitSystem expected) =>
        Assert.Equal(expected, HostFactsParser.ParseInitSystem(comm));

    [Fact]
    public void Memory_is_memtotal_in_bytes() =>
        Assert.Equal(2048L * 1024, HostFactsParser.ParseMemTotalBytes("MemFree:  10 kB\nMemTotal:        2048 kB\n"));

    [Fact]
    public void Cpus_are_parsed() => Assert.Equal(8, HostFactsParser.ParseCpus("8\n"));

    [Fact]
    public void Ipv4_addresses_are_global_ones_without_prefix()
    {
        const string text = """
            1: lo    inet 127.0.0.1/8 scope host lo\       valid_lft forever preferred_lft forever
            2: eth0    inet 10.0.0.5/24 brd 10.0.0.255 scope global eth0\       valid_lft forever preferred_lft forever
            2: eth0    inet 10.0.0.9/24 brd 10.0.0.255 scope global secondary eth0\       valid_lft forever preferred_lft forever
            3: wg0    inet 192.168.7.1/32 scope global wg0\       valid_lft forever preferred_lft forever
            """;

        Assert.Equal(["10.0.0.5", "10.0.0.9", "192.168.7.1"], HostFactsParser.ParseIPv4Addresses(text));
    }

    [Fact]
    public void Binaries_map_names_to_paths_or_null()
    {
        var found = HostFactsParser.ParseBinaries(["ip", "conntrack", "socat"], "/usr/sbin/ip\n/usr/bin/socat\n");

        Assert.Equal("/usr/sbin/ip", found["ip"]);
        Assert.Null(found["conntrack"]);
        Assert.Equal("/usr/bin/socat", found["socat"]);
    }
}
