using System.Text;
using System.Text.RegularExpressions;
using Bootstrap.Core.Kubernetes;
using Bootstrap.Core.Tests.Pki;

namespace Bootstrap.Core.Tests.Kubernetes;

public sealed class BootstrapTokenTests
{
    private static readonly DateTimeOffset Now = new(2026, 3, 1, 12, 30, 45, TimeSpan.Zero);

    [Fact]
    public void Generated_tokens_have_kubeadms_format_and_differ()
    {
        var tokens = Enumerable.Range(0, 50).Select(_ => BootstrapToken.Generate()).ToArray();

        Assert.All(tokens, t => Assert.Matches(@"\A[a-z0-9]{6}\.[a-z0-9]{16}\z", t.Value));
        Assert.Equal(tokens.Length, tokens.Select(t => t.Value).Distinct().Count());
    }

    [Fact]
    public void Generated_tokens_use_the_whole_alphabet()
    {
        var characters = string.Concat(Enumerable.Range(0, 200).Select(_ => BootstrapToken.Generate().Secret));

        Assert.Equal(36, characters.Distinct().Count());
    }

    [Fact]
    public void Parse_reads_id_and_secret()
    {
        var token = BootstrapToken.Parse("abcdef.0123456789abcdef");

        Assert.Equal("abcdef", token.Id);
        Assert.Equal("0123456789abcdef", token.Secret);
        Assert.Equal("bootstrap-token-abcdef", token.SecretName);
    }

    [Theory]
    [InlineData("", "empty")]
    [InlineData("abcdef0123456789abcdef", "no \".\"")]
    [InlineData("abcde.0123456789abcdef", "id \"abcde\" is not 6 characters")]
    [InlineData("ABCDEF.0123456789abcdef", "id \"ABCDEF\" is not 6 characters")]
    [InlineData("abcdef.0123456789abcde", "has 15 characters")]
    [InlineData("abcdef.0123456789ABCDEF", "is not 16 characters of a-z and 0-9")]
    [InlineData("abcdef.0123456789abcdef.x", "has 18 characters")]
    public void Parse_refuses_malformed_tokens_saying_why(string value, string expected)
    {
        var error = Assert.Throws<FormatException>(() => BootstrapToken.Parse(value));

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_errors_never_quote_the_secret()
    {
        var error = Assert.Throws<FormatException>(() => BootstrapToken.Parse("abcdef.SECRETsecret12345"));

        Assert.DoesNotContain("SECRET", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ToString_hides_the_secret()
    {
        var token = BootstrapToken.Parse("abcdef.0123456789abcdef");

        Assert.Equal("abcdef.<redacted>", token.ToString());
    }

    [Fact]
    public void Secret_has_kubeadms_name_type_and_data()
    {
        var token = BootstrapToken.Parse("abcdef.0123456789abcdef");

        var secret = token.ToSecret(new ManualTimeProvider(Now), TimeSpan.FromHours(24), "joins w1");

        Assert.Equal("v1", secret.ApiVersion);
        Assert.Equal("Secret", secret.Kind);
        Assert.Equal("bootstrap-token-abcdef", secret.Metadata.Name);
        Assert.Equal("kube-system", secret.Metadata.NamespaceProperty);
        Assert.Equal("bootstrap.kubernetes.io/token", secret.Type);
        var data = secret.Data.ToDictionary(d => d.Key, d => Encoding.UTF8.GetString(d.Value));
        Assert.Equal(
            new Dictionary<string, string>
            {
                ["auth-extra-groups"] = "system:bootstrappers:kubeadm:default-node-token",
                ["description"] = "joins w1",
                ["expiration"] = "2026-03-02T12:30:45Z",
                ["token-id"] = "abcdef",
                ["token-secret"] = "0123456789abcdef",
                ["usage-bootstrap-authentication"] = "true",
                ["usage-bootstrap-signing"] = "true",
            },
            data);
    }

    [Fact]
    public void Expiration_follows_the_injected_clock_in_utc_whole_seconds()
    {
        var clock = new ManualTimeProvider(new DateTimeOffset(2026, 3, 1, 23, 59, 59, 900, TimeSpan.FromHours(2)));
        var token = BootstrapToken.Generate();

        var secret = token.ToSecret(clock, TimeSpan.FromMinutes(90), "x");

        Assert.Equal("2026-03-01T23:29:59Z", Encoding.ASCII.GetString(secret.Data["expiration"]));
    }

    [Fact]
    public void A_zero_ttl_never_expires_and_an_empty_description_is_left_out()
    {
        var secret = BootstrapToken.Generate().ToSecret(new ManualTimeProvider(Now), TimeSpan.Zero, string.Empty);

        Assert.False(secret.Data.ContainsKey("expiration"));
        Assert.False(secret.Data.ContainsKey("description"));
    }

    [Fact]
    public void Extra_groups_are_joined_by_commas()
    {
        var secret = BootstrapToken.Generate().ToSecret(new ManualTimeProvider(Now), TimeSpan.FromHours(1), "x", ["system:bootstrappers:kubeadm:default-node-token", "system:bootstrappers:lab"]);

        Assert.Equal("system:bootstrappers:kubeadm:default-node-token,system:bootstrappers:lab", Encoding.ASCII.GetString(secret.Data["auth-extra-groups"]));
    }

    [Theory]
    [InlineData("system:masters")]
    [InlineData("system:bootstrappers:")]
    [InlineData("system:bootstrappers:Upper")]
    public void Groups_outside_system_bootstrappers_are_refused(string group) =>
        Assert.Throws<ArgumentException>(() => BootstrapToken.Generate().ToSecret(new ManualTimeProvider(Now), TimeSpan.FromHours(1), "x", [group]));

    [Fact]
    public void A_negative_ttl_is_refused() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => BootstrapToken.Generate().ToSecret(new ManualTimeProvider(Now), TimeSpan.FromSeconds(-1), "x"));

    [Fact]
    public void Token_regex_of_cluster_bootstrap_accepts_generated_tokens() =>
        Assert.Matches(new Regex(@"\A([a-z0-9]{6})\.([a-z0-9]{16})\z"), BootstrapToken.Generate().Value);
}
