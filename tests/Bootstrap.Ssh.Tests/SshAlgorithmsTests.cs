namespace Bootstrap.Ssh.Tests;

public sealed class SshAlgorithmsTests
{
    [Fact]
    public void The_offer_keeps_only_the_preferred_entries_in_the_preferred_order()
    {
        var offer = new Dictionary<string, int>(StringComparer.Ordinal) { ["aes128-ctr"] = 1, ["3des-cbc"] = 2, ["aes128-gcm@openssh.com"] = 3, ["aes256-cbc"] = 4 };

        SshAlgorithms.Reorder(offer, SshAlgorithms.Ciphers);

        Assert.Equal(["aes128-gcm@openssh.com", "aes128-ctr"], offer.Keys);
        Assert.Equal([3, 1], offer.Values);
    }

    [Fact]
    public void An_offer_with_none_of_the_preferred_entries_is_an_error_naming_them()
    {
        var offer = new Dictionary<string, int>(StringComparer.Ordinal) { ["3des-cbc"] = 1 };

        var error = Assert.Throws<InvalidOperationException>(() => SshAlgorithms.Reorder(offer, SshAlgorithms.Ciphers));

        Assert.StartsWith("SSH.NET supports none of aes128-gcm@openssh.com, aes256-gcm@openssh.com", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void No_cbc_mode_3des_or_md5_is_ever_offered()
    {
        Assert.DoesNotContain(SshAlgorithms.Ciphers, c => c.Contains("cbc", StringComparison.Ordinal) || c.Contains("3des", StringComparison.Ordinal));
        Assert.DoesNotContain(SshAlgorithms.Macs, m => m.Contains("md5", StringComparison.Ordinal));
    }

    [Fact]
    public void No_sha1_key_exchange_and_no_sha1_host_key_signature_is_ever_offered()
    {
        Assert.DoesNotContain(SshAlgorithms.KeyExchanges, k => k.Contains("sha1", StringComparison.Ordinal));
        Assert.DoesNotContain(SshAlgorithms.KeyExchanges, k => k.Contains("group1-", StringComparison.Ordinal));
        Assert.DoesNotContain(SshAlgorithms.HostKeys, h => h is "ssh-rsa" or "ssh-rsa-cert-v01@openssh.com" or "ssh-dss");
    }

    [Fact]
    public void A_connection_offers_exactly_the_preferred_lists_every_one_of_which_SSH_NET_supports()
    {
        var connection = SshAlgorithms.Prefer(new Renci.SshNet.ConnectionInfo("192.0.2.1", "root", new Renci.SshNet.NoneAuthenticationMethod("root")));

        Assert.Equal(SshAlgorithms.KeyExchanges, connection.KeyExchangeAlgorithms.Keys);
        Assert.Equal(SshAlgorithms.HostKeys, connection.HostKeyAlgorithms.Keys);
        Assert.Equal(SshAlgorithms.Ciphers, connection.Encryptions.Keys);
        Assert.Equal(SshAlgorithms.Macs, connection.HmacAlgorithms.Keys);
    }
}
