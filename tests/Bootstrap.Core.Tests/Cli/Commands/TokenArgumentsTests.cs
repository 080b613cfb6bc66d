using Bootstrap.Cli.Commands;
using Bootstrap.Core.Kubernetes;

namespace Bootstrap.Core.Tests.Cli.Commands;

public sealed class TokenArgumentsTests
{
    [Theory]
    [InlineData("24h", 24 * 3600)]
    [InlineData("1h30m", 5400)]
    [InlineData("0", 0)]
    public void Ttl_is_a_go_duration_and_0_means_never(string text, int seconds)
    {
        Assert.True(TokenArguments.TryParseTtl(text, out var ttl, out _));
        Assert.Equal(TimeSpan.FromSeconds(seconds), ttl);
    }

    [Theory]
    [InlineData("1d", "is not a duration")]
    [InlineData("-1h", "is negative")]
    [InlineData("10ms", "shorter than a second")]
    [InlineData("1ns", "shorter than a second")]
    [InlineData("99999999h", "is longer than 100 years")]
    [InlineData("876001h", "is longer than 100 years")]
    public void A_bad_ttl_says_what_is_wrong(string text, string message)
    {
        Assert.False(TokenArguments.TryParseTtl(text, out _, out var error));
        Assert.Contains(message, error, StringComparison.Ordinal);
        Assert.Contains("--ttl", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Without_groups_a_token_is_a_kubeadm_node_token()
    {
        Assert.True(TokenArguments.TryParseGroups([], out var groups, out _));
        Assert.Equal([KubeadmObjectNames.NodeBootstrapTokenGroup], groups);
    }

    [Fact]
    public void Groups_are_comma_separated_or_repeated()
    {
        Assert.True(TokenArguments.TryParseGroups(["system:bootstrappers:a,system:bootstrappers:b", "system:bootstrappers:c"], out var groups, out _));
        Assert.Equal(["system:bootstrappers:a", "system:bootstrappers:b", "system:bootstrappers:c"], groups);
    }

    [Theory]
    [InlineData("system:masters", "system:masters")]
    [InlineData("system:bootstrappers:a,", "empty group")]
    [InlineData("system:bootstrappers:Upper", "system:bootstrappers:Upper")]
    [InlineData("system:bootstrappers:bootstrap:nodes", "reserved for the tokens Bootstrap mints for its own joins")]
    public void A_group_outside_system_bootstrappers_or_bootstraps_own_node_group_is_refused_by_name(string value, string message)
    {
        Assert.False(TokenArguments.TryParseGroups([value], out _, out var error));
        Assert.Contains(message, error, StringComparison.Ordinal);
        Assert.StartsWith("--groups", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Delete_takes_ids_and_whole_tokens_like_kubeadm()
    {
        Assert.True(TokenArguments.TryParseIds(["abcdef", "ghijkl.0123456789abcdef", "abcdef"], out var ids, out _));
        Assert.Equal(["abcdef", "ghijkl"], ids);
    }

    [Fact]
    public void A_bad_delete_argument_is_named_by_position_and_a_secret_in_it_is_never_echoed()
    {
        Assert.False(TokenArguments.TryParseIds(["abcdef", "abcdef.0123456789abcdeX"], out _, out var error));

        Assert.Contains("argument 2", error, StringComparison.Ordinal);
        Assert.DoesNotContain("0123456789abcde", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Delete_needs_a_token()
    {
        Assert.False(TokenArguments.TryParseIds([], out _, out var error));
        Assert.Contains("at least one token", error, StringComparison.Ordinal);
    }
}
