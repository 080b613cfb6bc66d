using System.Globalization;

namespace Bootstrap.Core.Kubernetes;

/// <summary>
/// Durations as Go's <c>time.ParseDuration</c> reads them (kubeadm's <c>--ttl</c>): a sequence of decimal
/// numbers each with a unit of ns, us (or µs), ms, s, m or h, e.g. <c>24h</c>, <c>1h30m</c>, <c>1.5h</c>;
/// <c>0</c> alone needs no unit; an optional leading sign. And kubeadm's short human form of a duration.
/// </summary>
internal static class GoDuration
{
    private static readonly (string Unit, long Ticks)[] Units =
    [
        ("ns", 0), ("us", TimeSpan.TicksPerMicrosecond), ("µs", TimeSpan.TicksPerMicrosecond), ("μs", TimeSpan.TicksPerMicrosecond),
        ("ms", TimeSpan.TicksPerMillisecond), ("s", TimeSpan.TicksPerSecond), ("m", TimeSpan.TicksPerMinute), ("h", TimeSpan.TicksPerHour),
    ];

    public static bool TryParse(string? text, out TimeSpan duration)
    {
        duration = TimeSpan.Zero;
        if (string.IsNullOrEmpty(text))
        {
            return false;
        }

        var rest = text.AsSpan();
        var negative = rest[0] == '-';
        if (rest[0] is '-' or '+')
        {
            rest = rest[1..];
        }

        if (rest is "0")
        {
            return true;
        }

        if (rest.IsEmpty)
        {
            return false;
        }

        decimal ticks = 0;
        while (!rest.IsEmpty)
        {
            var digits = 0;
            while (digits < rest.Length && (char.IsAsciiDigit(rest[digits]) || rest[digits] == '.'))
            {
                digits++;
            }

            if (digits == 0 || !decimal.TryParse(rest[..digits], NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var number))
            {
                return false;
            }

            rest = rest[digits..];
            var unitLength = 0;
            while (unitLength < rest.Length && !char.IsAsciiDigit(rest[unitLength]) && rest[unitLength] != '.')
            {
                unitLength++;
            }

            var unit = rest[..unitLength].ToString();
            var match = Units.Where(u => u.Unit == unit).Select(u => (long?)u.Ticks).FirstOrDefault();
            if (match is not { } perUnit)
            {
                return false;
            }

            // Nanoseconds are below a tick (100 ns): count them in ticks.
            ticks += perUnit == 0 ? number / 100 : number * perUnit;
            rest = rest[unitLength..];
            if (ticks > TimeSpan.MaxValue.Ticks)
            {
                return false;
            }
        }

        // Below a tick is rounded down, except to zero: 1ns is a duration, not "0" (a --ttl of 0 never expires).
        duration = TimeSpan.FromTicks(ticks > 0 ? Math.Max(1, (long)decimal.Truncate(ticks)) : 0);
        duration = negative ? -duration : duration;
        return true;
    }

    /// <summary>apimachinery's <c>duration.ShortHumanDuration</c>: <c>45s</c>, <c>12m</c>, <c>23h</c>, <c>6d</c>, <c>2y</c>; <c>&lt;invalid&gt;</c> for the past.</summary>
    public static string ShortHuman(TimeSpan duration)
    {
        var seconds = (long)duration.TotalSeconds;
        return seconds switch
        {
            < -1 => "<invalid>",
            < 0 => "0s",
            < 60 => Invariant($"{seconds}s"),
            _ when (long)duration.TotalMinutes < 60 => Invariant($"{(long)duration.TotalMinutes}m"),
            _ when (long)duration.TotalHours < 24 => Invariant($"{(long)duration.TotalHours}h"),
            _ when (long)duration.TotalHours < 24 * 365 => Invariant($"{(long)duration.TotalHours / 24}d"),
            _ => Invariant($"{(long)(duration.TotalHours / 24 / 365)}y"),
        };
    }

    /// <summary>
    /// A whole number of seconds (<c>10s</c>), else of milliseconds (<c>500ms</c>): read the same by Go's
    /// ParseDuration (kube-apiserver's flags) and by haproxy's time values.
    /// </summary>
    public static string Format(TimeSpan duration) =>
        duration.Ticks % TimeSpan.TicksPerSecond == 0
            ? Invariant($"{duration.Ticks / TimeSpan.TicksPerSecond}s")
            : Invariant($"{duration.Ticks / TimeSpan.TicksPerMillisecond}ms");

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
