using Bootstrap.Ssh.HostKeys;

namespace Bootstrap.Ssh.Tests.HostKeys;

[Trait("Category", "Unit")]
public sealed class KnownHostsFileTests
{
    // Made with ssh-keygen: a key for [node1.example]:2222, then `ssh-keygen -H` for the hashed line.
    internal const string Key = "AAAAC3NzaC1lZDI1NTE5AAAAIIL+rA9B27E0OmphX0ZBviBrwfT7NROgUhVVtIykYNuu";
    internal const string KeyFingerprint = "SHA256:8AZG/nY/Itq37cuFuU+ORkwVkar8zoPmWfDkJ0sfiak";
    private const string HashedName = "|1|4dbA26tKtbdeHQY3W7Yo9/fOT+Y=|sW6Vc2Ml15H/MOKRoKsFeD6btNg=";

    [Fact]
    public void Parses_plain_hashed_and_marked_lines_and_skips_comments_and_junk()
    {
        var text = $"""
            # comment
            [node1.example]:2222 ssh-ed25519 {Key} comment here
            {HashedName} ssh-ed25519 {Key}
            @revoked *.bad ssh-ed25519 {Key}
            @cert-authority *.example ssh-ed25519 {Key}
            broken-line-without-key
            host ssh-ed25519 not!base64
            """;

        var entries = KnownHostsFile.Parse(text);

        Assert.Equal([2, 3, 4, 5], entries.Select(e => e.LineNumber));
        Assert.Equal([KnownHostsMarker.None, KnownHostsMarker.None, KnownHostsMarker.Revoked, KnownHostsMarker.CertAuthority], entries.Select(e => e.Marker));
        Assert.All(entries, e => Assert.Equal(KeyFingerprint, e.Fingerprint));
        Assert.Equal("ssh-ed25519", entries[0].KeyType);
    }

    [Fact]
    public void Hashed_name_written_by_ssh_keygen_matches_only_its_host_and_port()
    {
        Assert.True(KnownHostsFile.Matches(HashedName, "node1.example", 2222));
        Assert.False(KnownHostsFile.Matches(HashedName, "node1.example", 22));
        Assert.False(KnownHostsFile.Matches(HashedName, "node2.example", 2222));
    }

    [Fact]
    public void Our_hashed_lines_round_trip()
    {
        var blob = Convert.FromBase64String(Key);
        var line = KnownHostsFile.FormatHashedLine("10.0.0.7", 22, blob, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20]);

        var entry = Assert.Single(KnownHostsFile.Parse(line));

        Assert.True(KnownHostsFile.Matches(entry.HostPatterns, "10.0.0.7", 22));
        Assert.False(KnownHostsFile.Matches(entry.HostPatterns, "10.0.0.8", 22));
        Assert.Equal(blob, entry.KeyBlob);
    }

    [Theory]
    [InlineData("node1,10.0.0.5", "10.0.0.5", 22, true)]
    [InlineData("NODE1", "node1", 22, true)]
    [InlineData("node1", "node1", 2222, false)]
    [InlineData("[node1]:2222", "node1", 2222, true)]
    [InlineData("*.example.com", "a.example.com", 22, true)]
    [InlineData("*.example.com,!bad.example.com", "bad.example.com", 22, false)]
    [InlineData("10.0.0.?", "10.0.0.7", 22, true)]
    [InlineData("10.0.0.?", "10.0.0.17", 22, false)]
    public void Plain_patterns_follow_openssh_rules(string patterns, string host, int port, bool expected) =>
        Assert.Equal(expected, KnownHostsFile.Matches(patterns, host, port));

    [Fact]
    public void Fingerprint_and_key_type_come_from_the_blob()
    {
        var blob = Convert.FromBase64String(Key);

        Assert.Equal(KeyFingerprint, HostKeyFingerprint.Sha256(blob));
        Assert.Equal("ssh-ed25519", HostKeyFingerprint.KeyType(blob));
        Assert.Equal(KeyFingerprint, HostKeyFingerprint.Normalize("8AZG/nY/Itq37cuFuU+ORkwVkar8zoPmWfDkJ0sfiak="));
    }
}
