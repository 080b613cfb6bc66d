using System.Text;
using Bootstrap.Core.Kubernetes;
using Bootstrap.Core.Tests.Pki;
using k8s.Models;

namespace Bootstrap.Core.Tests.Kubernetes;

public sealed class BootstrapTokenInfoTests
{
    private static readonly DateTimeOffset Now = new(2026, 3, 1, 12, 30, 45, TimeSpan.Zero);

    [Fact]
    public void Reads_back_what_a_token_secret_holds_except_the_secret()
    {
        var token = BootstrapToken.Parse("abcdef.0123456789abcdef");
        var secret = token.ToSecret(new ManualTimeProvider(Now), TimeSpan.FromHours(2), "for w3", ["system:bootstrappers:a", "system:bootstrappers:b"]);

        var info = BootstrapTokenInfo.FromSecret(secret, out var problem);

        Assert.NotNull(info);
        Assert.Empty(problem);
        Assert.Equal("abcdef", info.Id);
        Assert.Equal(Now.AddHours(2), info.Expires);
        Assert.Equal(["authentication", "signing"], info.Usages);
        Assert.Equal("for w3", info.Description);
        Assert.Equal(["system:bootstrappers:a", "system:bootstrappers:b"], info.Groups);
        Assert.Equal("2h", info.Ttl(Now));
        Assert.Equal("2026-03-01T14:30:45Z", info.ExpiresText);
        Assert.DoesNotContain("0123456789abcdef", info.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void A_token_without_expiration_lives_forever_and_never_expires()
    {
        var secret = BootstrapToken.Parse("abcdef.0123456789abcdef").ToSecret(new ManualTimeProvider(Now), TimeSpan.Zero, string.Empty);

        var info = BootstrapTokenInfo.FromSecret(secret, out _)!;

        Assert.Null(info.Expires);
        Assert.Equal("<forever>", info.Ttl(Now));
        Assert.Equal("<never>", info.ExpiresText);
    }

    [Fact]
    public void An_expired_token_has_an_invalid_ttl_like_kubeadm_shows_it()
    {
        var secret = BootstrapToken.Parse("abcdef.0123456789abcdef").ToSecret(new ManualTimeProvider(Now), TimeSpan.FromMinutes(1), string.Empty);

        Assert.Equal("<invalid>", BootstrapTokenInfo.FromSecret(secret, out _)!.Ttl(Now.AddHours(1)));
    }

    [Fact]
    public void A_secret_whose_id_does_not_match_its_name_is_refused_without_quoting_its_data()
    {
        var secret = new V1Secret
        {
            Metadata = new V1ObjectMeta { Name = "bootstrap-token-abcdef" },
            Data = new Dictionary<string, byte[]>
            {
                ["token-id"] = Encoding.ASCII.GetBytes("zzzzzz"),
                ["token-secret"] = Encoding.ASCII.GetBytes("0123456789abcdef"),
            },
        };

        Assert.Null(BootstrapTokenInfo.FromSecret(secret, out var problem));
        Assert.Contains("bootstrap-token-abcdef", problem, StringComparison.Ordinal);
        Assert.DoesNotContain("0123456789abcdef", problem, StringComparison.Ordinal);
    }
}
