using System.Net;
using Bootstrap.Core.Config.Parsing;

namespace Bootstrap.Core.Tests.Config.Parsing;

public sealed class ScalarFormatsTests
{
    [Theory]
    [InlineData("192.168.56.10")]
    [InlineData("0.0.0.0")]
    [InlineData("fd00:56::10")]
    [InlineData("::1")]
    public void Usual_address_forms_parse(string text) => Assert.Equal(IPAddress.Parse(text), ScalarFormats.Address(text));

    [Theory]
    [InlineData("10.1")]
    [InlineData("010.0.0.1")]
    [InlineData("10.0.0.256")]
    [InlineData("10.0.0.1.")]
    [InlineData("0x0a.0.0.1")]
    [InlineData("fe80::1%eth0")]
    [InlineData("[fd00::1]")]
    [InlineData(" fd00::1")]
    [InlineData("fd00::1/64")]
    [InlineData("cp1")]
    public void Ambiguous_or_shortened_addresses_are_rejected(string text) => Assert.Null(ScalarFormats.Address(text));

    [Theory]
    [InlineData("10.244.0.0/16")]
    [InlineData("10.96.0.0/12")]
    [InlineData("192.168.56.10/32")]
    [InlineData("fd00:10:96::/112")]
    public void Network_addresses_with_a_prefix_are_cidrs(string text)
    {
        Assert.Equal(IPNetwork.Parse(text), ScalarFormats.Cidr(text, out var problem));
        Assert.Null(problem);
    }

    [Theory]
    [InlineData("10.244.0.0", "expected a CIDR such as 10.244.0.0/16; found \"10.244.0.0\"")]
    [InlineData("10.244.0.0/", "expected a CIDR such as 10.244.0.0/16; found \"10.244.0.0/\"")]
    [InlineData("10.244.0.0/-1", "expected a CIDR such as 10.244.0.0/16; found \"10.244.0.0/-1\"")]
    [InlineData("fd00::/129", "expected a CIDR such as 10.244.0.0/16; found \"fd00::/129\"")]
    [InlineData("10.244.7.0/16", "\"10.244.7.0/16\" has host bits set; expected the network address, did you mean \"10.244.0.0/16\"?")]
    [InlineData("fd00:10:96::1/64", "\"fd00:10:96::1/64\" has host bits set; expected the network address, did you mean \"fd00:10:96::/64\"?")]
    public void Bad_cidrs_say_what_is_wrong(string text, string expected)
    {
        Assert.Null(ScalarFormats.Cidr(text, out var problem));
        Assert.Equal(expected, problem);
    }

    [Theory]
    [InlineData("10s", 0, 0, 10)]
    [InlineData("1m30s", 0, 1, 30)]
    [InlineData("8760h", 8760, 0, 0)]
    [InlineData("365d", 365 * 24, 0, 0)]
    [InlineData("1d2h3m4s", 26, 3, 4)]
    public void Durations_add_their_parts(string text, int hours, int minutes, int seconds) =>
        Assert.Equal(new TimeSpan(hours, minutes, seconds), ScalarFormats.Duration(text));

    [Theory]
    [InlineData("")]
    [InlineData("0s")]
    [InlineData("10")]
    [InlineData("1.5h")]
    [InlineData("10 s")]
    [InlineData("1y")]
    [InlineData("30s1m")]
    [InlineData("99999999999999d")]
    public void Durations_without_units_out_of_order_or_zero_are_rejected(string text) => Assert.Null(ScalarFormats.Duration(text));

    [Theory]
    [InlineData("v1.20.2", true)]
    [InlineData("v1.31.0", true)]
    [InlineData("1.20.2", false)]
    [InlineData("v1.20", false)]
    [InlineData("v1.20.2-rc.1", true)]
    [InlineData("v1.20.3-lab.0", true)]
    [InlineData("v1.20.3-", false)]
    [InlineData("v1.20.3-lab..0", false)]
    [InlineData("v1.20.3+build", false)]
    public void Versions_are_v_major_minor_patch_with_an_optional_pre_release(string text, bool valid) => Assert.Equal(valid, ScalarFormats.Version(text) is not null);

    [Theory]
    [InlineData("v1.20.2", "v1.20.3-lab.0")]
    [InlineData("v1.20.3-lab.0", "v1.20.3")]
    [InlineData("v1.20.3-rc.2", "v1.20.3-rc.10")]
    [InlineData("v1.20.3", "v1.21.0-alpha.1")]
    public void Versions_order_as_semantic_versions(string older, string newer)
    {
        var (a, b) = (ScalarFormats.Version(older)!, ScalarFormats.Version(newer)!);

        Assert.True(a < b, $"{older} < {newer}");
        Assert.True(b > a);
        Assert.Equal(0, a.CompareTo(ScalarFormats.Version(older)));
        Assert.Equal(newer, b.ToString());
    }

    [Theory]
    [InlineData("cp1", true)]
    [InlineData("a", true)]
    [InlineData("node-01", true)]
    [InlineData("Node1", false)]
    [InlineData("-cp1", false)]
    [InlineData("cp1-", false)]
    [InlineData("cp_1", false)]
    [InlineData("cp1.lab", false)]
    public void Host_names_are_rfc1123_labels(string text, bool valid) => Assert.Equal(valid, ScalarFormats.IsDnsLabel(text));

    [Fact]
    public void Overlap_is_containment_either_way_within_one_family()
    {
        Assert.True(ScalarFormats.Overlap(IPNetwork.Parse("10.0.0.0/8"), IPNetwork.Parse("10.96.0.0/12")));
        Assert.True(ScalarFormats.Overlap(IPNetwork.Parse("10.96.0.0/12"), IPNetwork.Parse("10.0.0.0/8")));
        Assert.False(ScalarFormats.Overlap(IPNetwork.Parse("10.244.0.0/16"), IPNetwork.Parse("10.96.0.0/12")));
        Assert.False(ScalarFormats.Overlap(IPNetwork.Parse("10.0.0.0/8"), IPNetwork.Parse("::/0")));
    }

    [Theory]
    [InlineData("podSubnets", "podSubnet")]
    [InlineData("PodSubnet", "podSubnet")]
    [InlineData("dnsdomain", "dnsDomain")]
    [InlineData("servicesubnet", "serviceSubnet")]
    [InlineData("zzzzzz", null)]
    public void Suggestions_find_close_field_names(string input, string? expected) =>
        Assert.Equal(expected, Suggestions.Closest(input, ["hostSubnet", "podSubnet", "serviceSubnet", "dnsDomain"]));

    [Theory]
    [InlineData("10.0.0.300", " (it looks like an IPv4 address, but 300 is over 255)")]
    [InlineData("192.168.1.256", " (it looks like an IPv4 address, but 256 is over 255)")]
    [InlineData("10.0.0", " (it looks like an IPv4 address, but has 3 numbers instead of 4)")]
    [InlineData("010.0.0.1", " (it looks like an IPv4 address, but 010 has a leading zero)")]
    [InlineData("0000.0.0.1", " (it looks like an IPv4 address, but 0000 has a leading zero)")]
    [InlineData("10.0.0.1", "")]
    [InlineData("api.example.com", "")]
    public void Dotted_numbers_that_are_no_address_say_why(string text, string hint) => Assert.Equal(hint, ScalarFormats.NotAnAddressHint(text));

    [Theory]
    [InlineData("10.0.0.300")]
    [InlineData("1.2.3")]
    [InlineData("example.123")]
    public void A_name_ending_in_an_all_numeric_label_is_no_dns_name(string text)
    {
        Assert.False(ScalarFormats.IsDnsName(text));
        Assert.False(ScalarFormats.IsHost(text));
    }

    [Theory]
    [InlineData("api.example.com")]
    [InlineData("123.example.com")]
    [InlineData("cluster.local")]
    [InlineData("10.0.0.1")]
    public void Names_and_addresses_are_hosts(string text) => Assert.True(ScalarFormats.IsHost(text));
}
