using System.Text.Json;
using Bootstrap.Cli.Commands;
using Bootstrap.Core.Kubernetes;
using Bootstrap.Core.Tests.Pki;

namespace Bootstrap.Core.Tests.Cli.Commands;

public sealed class TokenOutputTests
{
    private const string Secret = "0123456789abcdef";

    private static readonly DateTimeOffset Now = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);

    private static IReadOnlyList<BootstrapTokenInfo> Tokens() =>
    [
        BootstrapTokenInfo.FromSecret(BootstrapToken.Parse("abcdef." + Secret).ToSecret(new ManualTimeProvider(Now), TimeSpan.FromHours(24), "joins w3"), out _)!,
        BootstrapTokenInfo.FromSecret(BootstrapToken.Parse("zyxwvu." + Secret).ToSecret(new ManualTimeProvider(Now), TimeSpan.Zero, string.Empty), out _)!,
    ];

    [Fact]
    public void The_table_has_kubeadms_columns_aligned_like_its_tabwriter_and_ids_only()
    {
        var table = TokenOutput.Table(Tokens(), Now.AddHours(1));

        Assert.Equal(
            "TOKEN ID   TTL         EXPIRES                USAGES                   DESCRIPTION   EXTRA GROUPS\n"
            + "abcdef     23h         2026-03-02T12:00:00Z   authentication,signing   joins w3      system:bootstrappers:kubeadm:default-node-token\n"
            + "zyxwvu     <forever>   <never>                authentication,signing   <none>        system:bootstrappers:kubeadm:default-node-token\n",
            table);
        Assert.DoesNotContain(Secret, table, StringComparison.Ordinal);
    }

    [Fact]
    public void An_empty_list_is_the_header_alone()
    {
        Assert.StartsWith("TOKEN ID   TTL", TokenOutput.Table([], Now), StringComparison.Ordinal);
        Assert.Single(TokenOutput.Table([], Now).Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    [Fact]
    public void Json_is_one_array_of_token_objects_without_secrets()
    {
        var text = TokenOutput.Json(Tokens(), Now);

        using var json = JsonDocument.Parse(text);
        var tokens = json.RootElement.EnumerateArray().ToArray();
        Assert.Equal(2, tokens.Length);
        Assert.Equal("abcdef", tokens[0].GetProperty("id").GetString());
        Assert.Equal("1d", tokens[0].GetProperty("ttl").GetString());
        Assert.Equal("2026-03-02T12:00:00Z", tokens[0].GetProperty("expires").GetString());
        Assert.Equal(["authentication", "signing"], tokens[0].GetProperty("usages").EnumerateArray().Select(u => u.GetString()));
        Assert.Equal("joins w3", tokens[0].GetProperty("description").GetString());
        Assert.Equal([KubeadmObjectNames.NodeBootstrapTokenGroup], tokens[0].GetProperty("groups").EnumerateArray().Select(u => u.GetString()));
        Assert.Equal(JsonValueKind.Null, tokens[1].GetProperty("expires").ValueKind);
        Assert.Equal("<forever>", tokens[1].GetProperty("ttl").GetString());
        Assert.DoesNotContain(Secret, text, StringComparison.Ordinal);
    }

    [Fact]
    public void The_join_command_is_kubeadms()
    {
        var hash = "sha256:" + new string('a', 64);

        Assert.Equal(
            $"kubeadm join 192.168.56.10:6443 --token abcdef.{Secret} --discovery-token-ca-cert-hash {hash}",
            TokenOutput.JoinCommand("192.168.56.10:6443", BootstrapToken.Parse("abcdef." + Secret), hash));
    }
}
