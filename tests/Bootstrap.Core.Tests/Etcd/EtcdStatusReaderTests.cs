using Bootstrap.Core.Etcd;

namespace Bootstrap.Core.Tests.Etcd;

/// <summary>The timestamps `systemctl show` prints for the backup timer and service, in both forms systemd 252 uses.</summary>
public sealed class EtcdStatusReaderTests
{
    [Theory]
    [InlineData("@1796169600", "2026-12-02T00:00:00+00:00")]
    [InlineData("Wed 2026-12-02 00:00:00 UTC", "2026-12-02T00:00:00+00:00")]
    [InlineData("Tue 2026-12-01 19:07:35 UTC", "2026-12-01T19:07:35+00:00")]
    public void A_unix_or_a_utc_timestamp_is_read(string shown, string expected)
    {
        Assert.Equal(DateTimeOffset.Parse(expected, System.Globalization.CultureInfo.InvariantCulture), EtcdStatusReader.Timestamp(shown));
    }

    [Theory]
    [InlineData("")]
    [InlineData("@0")]
    [InlineData("@x")]
    [InlineData("n/a")]
    [InlineData("Wed 2026-12-02 00:00:00 CET")]
    public void Anything_else_is_no_timestamp(string shown)
    {
        Assert.Null(EtcdStatusReader.Timestamp(shown));
    }
}
