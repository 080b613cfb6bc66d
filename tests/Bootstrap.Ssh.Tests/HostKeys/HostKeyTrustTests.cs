using Bootstrap.Ssh.HostKeys;
using Serilog.Core;

namespace Bootstrap.Ssh.Tests.HostKeys;

[Trait("Category", "Unit")]
public sealed class HostKeyTrustTests : IDisposable
{
    private static readonly byte[] Key = Convert.FromBase64String(KnownHostsFileTests.Key);

    // Another well-formed ed25519 blob: same type, different key bytes.
    private static readonly byte[] OtherKey = [.. Key[..^1], (byte)(Key[^1] ^ 0xff)];

    private readonly string _dir = Directory.CreateTempSubdirectory("bootstrap-trust-").FullName;

    private string KnownHosts => Path.Combine(_dir, "known_hosts");

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void Unknown_key_is_refused_by_default_and_nothing_is_written()
    {
        var trust = new HostKeyTrust(KnownHosts, acceptNew: false, Logger.None);

        var error = Assert.Throws<HostKeyVerificationException>(() => trust.Verify("cp1", "10.0.0.5", 22, Key, []));

        Assert.Contains("cp1: unknown host key " + KnownHostsFileTests.KeyFingerprint, error.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(KnownHosts));
    }

    [Fact]
    public void A_device_as_known_hosts_is_never_read_and_knows_no_key()
    {
        var trust = new HostKeyTrust("/dev/zero", acceptNew: false, Logger.None);

        // Read whole, /dev/zero never ends: the connection timed out on every host.
        var error = Assert.Throws<HostKeyVerificationException>(() => trust.Verify("cp1", "10.0.0.5", 22, Key, []));

        Assert.Contains("cp1: unknown host key", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_known_hosts_file_larger_than_the_bound_refuses_the_key_naming_the_file()
    {
        using (var file = File.Create(KnownHosts))
        {
            file.SetLength(Core.Config.Parsing.LocalFileChecks.MaxKnownHostsBytes + 1);
        }

        var trust = new HostKeyTrust(KnownHosts, acceptNew: true, Logger.None);

        var error = Assert.Throws<HostKeyVerificationException>(() => trust.Verify("cp1", "10.0.0.5", 22, Key, []));

        Assert.Contains($"cp1: the host key {KnownHostsFileTests.KeyFingerprint} cannot be checked: the known_hosts file {KnownHosts} is 67108865 bytes", error.Message, StringComparison.Ordinal);
        Assert.Equal(Core.Config.Parsing.LocalFileChecks.MaxKnownHostsBytes + 1, new FileInfo(KnownHosts).Length);
    }

    [Fact]
    public void Accept_new_records_the_key_then_trusts_it_and_refuses_a_different_one()
    {
        new HostKeyTrust(KnownHosts, acceptNew: true, Logger.None).Verify("cp1", "10.0.0.5", 2222, Key, []);
        var strict = new HostKeyTrust(KnownHosts, acceptNew: false, Logger.None);

        strict.Verify("cp1", "10.0.0.5", 2222, Key, []);
        var error = Assert.Throws<HostKeyVerificationException>(() => strict.Verify("cp1", "10.0.0.5", 2222, OtherKey, []));

        Assert.StartsWith("[10.0.0.5]:2222 ssh-ed25519 ", File.ReadAllText(KnownHosts), StringComparison.Ordinal);
        Assert.Contains("cp1: HOST KEY CHANGED", error.Message, StringComparison.Ordinal);
        Assert.Contains("expected " + KnownHostsFileTests.KeyFingerprint, error.Message, StringComparison.Ordinal);
        Assert.Contains("presented " + HostKeyFingerprint.Sha256(OtherKey), error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Accept_new_never_overrides_a_changed_key()
    {
        File.WriteAllText(KnownHosts, $"10.0.0.5 ssh-ed25519 {KnownHostsFileTests.Key}\n");
        var trust = new HostKeyTrust(KnownHosts, acceptNew: true, Logger.None);

        Assert.Throws<HostKeyVerificationException>(() => trust.Verify("cp1", "10.0.0.5", 22, OtherKey, []));
        Assert.Single(File.ReadAllLines(KnownHosts));
    }

    [Fact]
    public void A_pinned_fingerprint_is_trusted_without_known_hosts_and_a_wrong_pin_is_refused()
    {
        var trust = new HostKeyTrust(knownHostsPath: null, acceptNew: false, Logger.None);

        trust.Verify("cp1", "10.0.0.5", 22, Key, [KnownHostsFileTests.KeyFingerprint]);
        var error = Assert.Throws<HostKeyVerificationException>(() => trust.Verify("cp1", "10.0.0.5", 22, OtherKey, [KnownHostsFileTests.KeyFingerprint]));

        Assert.Equal([KnownHostsFileTests.KeyFingerprint], error.ExpectedFingerprints);
        Assert.Equal(HostKeyFingerprint.Sha256(OtherKey), error.PresentedFingerprint);
    }

    [Fact]
    public void With_pins_a_key_listed_in_known_hosts_but_not_pinned_is_refused()
    {
        File.WriteAllText(KnownHosts, $"10.0.0.5 ssh-ed25519 {Convert.ToBase64String(OtherKey)}\n");
        var trust = new HostKeyTrust(KnownHosts, acceptNew: true, Logger.None);

        var error = Assert.Throws<HostKeyVerificationException>(() => trust.Verify("cp1", "10.0.0.5", 22, OtherKey, [KnownHostsFileTests.KeyFingerprint]));

        Assert.StartsWith("cp1: HOST KEY CHANGED for 10.0.0.5: expected " + KnownHostsFileTests.KeyFingerprint + " (pinned in the cluster file)", error.Message, StringComparison.Ordinal);
        Assert.Equal([KnownHostsFileTests.KeyFingerprint], error.ExpectedFingerprints);
        Assert.Single(File.ReadAllLines(KnownHosts));
    }

    [Fact]
    public void With_pins_an_unknown_host_is_neither_accepted_as_new_nor_recorded()
    {
        var trust = new HostKeyTrust(KnownHosts, acceptNew: true, Logger.None);

        Assert.Throws<HostKeyVerificationException>(() => trust.Verify("cp1", "10.0.0.5", 22, OtherKey, [KnownHostsFileTests.KeyFingerprint]));
        trust.Verify("cp1", "10.0.0.5", 22, Key, [KnownHostsFileTests.KeyFingerprint]);

        Assert.False(File.Exists(KnownHosts));
    }

    [Fact]
    public void A_pinned_key_that_known_hosts_revokes_is_refused()
    {
        File.WriteAllText(KnownHosts, $"@revoked * ssh-ed25519 {KnownHostsFileTests.Key}\n");

        var error = Assert.Throws<HostKeyVerificationException>(() =>
            new HostKeyTrust(KnownHosts, acceptNew: false, Logger.None).Verify("cp1", "10.0.0.5", 22, Key, [KnownHostsFileTests.KeyFingerprint]));

        Assert.Contains("@revoked", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_revoked_key_is_refused_even_when_also_listed()
    {
        File.WriteAllText(KnownHosts, $"10.0.0.5 ssh-ed25519 {KnownHostsFileTests.Key}\n@revoked * ssh-ed25519 {KnownHostsFileTests.Key}\n");

        var error = Assert.Throws<HostKeyVerificationException>(() =>
            new HostKeyTrust(KnownHosts, acceptNew: false, Logger.None).Verify("cp1", "10.0.0.5", 22, Key, []));

        Assert.Contains("@revoked", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Accept_new_without_a_file_is_a_configuration_error() =>
        Assert.Throws<ArgumentException>(() => new HostKeyTrust(null, acceptNew: true, Logger.None));
}
