using Bootstrap.Core.Install;
using Bootstrap.Core.Pki;
using Bootstrap.Core.Tests.Pki;

namespace Bootstrap.Core.Tests.Install;

public sealed class ClusterSecretsTests : IDisposable
{
    private readonly TemporaryDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    [Fact]
    public async Task The_vrrp_password_is_the_one_word_of_its_file()
    {
        var state = StateWithPassword("abcDEF23\n"u8.ToArray());

        Assert.Equal("abcDEF23", await ClusterSecrets.ReadVrrpPasswordAsync(state, CancellationToken.None));
    }

    [Theory]
    [InlineData("")]
    [InlineData("\n")]
    [InlineData("a\0b\0c")]
    [InlineData("two words\n")]
    [InlineData("\u00e9t\u00e9\n")]
    public async Task A_vrrp_password_file_that_holds_no_password_is_damaged_and_never_taken_for_one(string content)
    {
        // An empty or binary file was read as the password (empty, or '?' and control characters) and would have gone into
        // every load balancer's keepalived.conf; `certs generate` accepted it silently.
        var state = StateWithPassword(System.Text.Encoding.UTF8.GetBytes(content));

        var read = await Assert.ThrowsAsync<PkiStateException>(() => ClusterSecrets.ReadVrrpPasswordAsync(state, CancellationToken.None));
        var plan = await Assert.ThrowsAsync<PkiStateException>(() => ClusterSecrets.PlanAsync(state, stateExists: true, CancellationToken.None));

        Assert.StartsWith($"{state.FullPath(ClusterSecrets.VrrpPasswordFile)} is damaged: it holds no VRRP password", read.Message, StringComparison.Ordinal);
        Assert.Contains("bootstrap state pull", read.Message, StringComparison.Ordinal);
        Assert.Equal(read.Message, plan.Message);
    }

    [Theory]
    [InlineData("", "it holds no key")]
    [InlineData("key1\n", "each line must be a unique key name")]
    [InlineData("key1 c2VjcmV0c2VjcmV0\n", "an encryption key must be 32 bytes in base64")]
    [InlineData("key1 AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\nkey1 AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n", "each line must be a unique key name")]
    public async Task Damaged_encryption_keys_are_named_with_the_way_back_and_never_shown(string content, string what)
    {
        // Said before: "PATH: an encryption key must be 32 bytes in base64", with no way back; new keys must never be made in
        // their place (the Secrets in etcd are sealed with these).
        var root = _directory.Combine("state");
        Directory.CreateDirectory(Path.Combine(root, "secrets"));
        File.WriteAllText(Path.Combine(root, ClusterSecrets.EncryptionKeysFile), content);
        var state = new PkiStateDirectory(root);

        var error = await Assert.ThrowsAsync<PkiStateException>(() => ClusterSecrets.ReadKeysAsync(state, CancellationToken.None));

        Assert.StartsWith($"{state.FullPath(ClusterSecrets.EncryptionKeysFile)} is damaged: {what}", error.Message, StringComparison.Ordinal);
        Assert.EndsWith("`bootstrap state pull -f CLUSTER_FILE --from CONTROL_PLANE_HOST`.", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("c2VjcmV0", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("AAAAAAAA", error.Message, StringComparison.Ordinal);
    }

    private PkiStateDirectory StateWithPassword(byte[] content)
    {
        var root = _directory.Combine("state");
        Directory.CreateDirectory(Path.Combine(root, "secrets"));
        File.WriteAllBytes(Path.Combine(root, ClusterSecrets.VrrpPasswordFile), content);
        File.WriteAllText(Path.Combine(root, ClusterSecrets.EncryptionKeysFile), "key1 " + Convert.ToBase64String(new byte[32]) + "\n");
        return new PkiStateDirectory(root);
    }
}
