using Bootstrap.Core.Kubernetes;

namespace Bootstrap.Core.Tests.Kubernetes;

public sealed class GoDurationTests
{
    [Theory]
    [InlineData("24h", 24 * 3600)]
    [InlineData("1h30m", 5400)]
    [InlineData("1.5h", 5400)]
    [InlineData("90s", 90)]
    [InlineData("2m3s", 123)]
    [InlineData("0", 0)]
    [InlineData("0s", 0)]
    [InlineData("+10m", 600)]
    [InlineData("-1h", -3600)]
    [InlineData("1500ms", 1.5)]
    public void Parses_what_gos_time_ParseDuration_accepts(string text, double seconds)
    {
        Assert.True(GoDuration.TryParse(text, out var duration));
        Assert.Equal(TimeSpan.FromSeconds(seconds), duration);
    }

    [Theory]
    [InlineData("1ns")]
    [InlineData("99ns")]
    [InlineData("0.5ns")]
    public void A_duration_shorter_than_a_tick_is_not_zero(string text)
    {
        // 1ns truncated to 0 ticks, and `token create --ttl 1ns` made a token that never expires.
        Assert.True(GoDuration.TryParse(text, out var duration));
        Assert.True(duration > TimeSpan.Zero);
        Assert.True(duration < TimeSpan.FromMicroseconds(1));
    }

    [Theory]
    [InlineData("")]
    [InlineData("24")]
    [InlineData("1d")]
    [InlineData("h")]
    [InlineData("1h 30m")]
    [InlineData("1..5h")]
    [InlineData("-")]
    [InlineData("24H")]
    public void Refuses_what_gos_time_ParseDuration_refuses(string text) =>
        Assert.False(GoDuration.TryParse(text, out _));

    [Theory]
    [InlineData(-5, "<invalid>")]
    [InlineData(-1, "0s")]
    [InlineData(59, "59s")]
    [InlineData(60, "1m")]
    [InlineData(3599, "59m")]
    [InlineData(23 * 3600 + 3599, "23h")]
    [InlineData(2 * 86400 + 10, "2d")]
    [InlineData(400 * 86400, "1y")]
    public void Short_human_form_is_apimachinerys(long seconds, string expected) =>
        Assert.Equal(expected, GoDuration.ShortHuman(TimeSpan.FromSeconds(seconds)));

    [Theory]
    [InlineData(2000, "2s")]
    [InlineData(500, "500ms")]
    [InlineData(6500, "6500ms")]
    [InlineData(10000, "10s")]
    public void Formats_whole_seconds_else_milliseconds_and_parses_back(int milliseconds, string expected)
    {
        var duration = TimeSpan.FromMilliseconds(milliseconds);

        Assert.Equal(expected, GoDuration.Format(duration));
        Assert.True(GoDuration.TryParse(expected, out var parsed));
        Assert.Equal(duration, parsed);
    }
}
