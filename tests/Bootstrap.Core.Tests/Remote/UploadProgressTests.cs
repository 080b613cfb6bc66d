using Bootstrap.Core.Remote;
using Serilog;
using Serilog.Core;
using Serilog.Events;

namespace Bootstrap.Core.Tests.Remote;

public sealed class UploadProgressTests
{
    private sealed class Clock : TimeProvider
    {
        public long Ticks { get; set; }

        public override long TimestampFrequency => TimeSpan.TicksPerSecond;

        public override long GetTimestamp() => Ticks;

        public void Advance(TimeSpan by) => Ticks += by.Ticks;
    }

    private sealed class Lines : ILogEventSink
    {
        public List<string> Rendered { get; } = [];

        public void Emit(LogEvent logEvent) => Rendered.Add(logEvent.RenderMessage(System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public void A_large_upload_logs_bytes_and_rate_at_most_every_two_seconds()
    {
        var sink = new Lines();
        var clock = new Clock();
        var progress = new UploadProgress(new LoggerConfiguration().WriteTo.Sink(sink).CreateLogger(), "cp1", "/usr/local/bin/kube-apiserver", 120L << 20, clock);

        clock.Advance(TimeSpan.FromSeconds(1));
        progress.Report(20UL << 20);
        clock.Advance(TimeSpan.FromSeconds(1));
        progress.Report(40UL << 20);
        clock.Advance(TimeSpan.FromSeconds(1));
        progress.Report(60UL << 20);
        clock.Advance(TimeSpan.FromSeconds(1));
        progress.Report(80UL << 20);

        Assert.Equal(
            ["\"cp1\": uploading \"/usr/local/bin/kube-apiserver\": 40 of 120 MB (20 MB/s)", "\"cp1\": uploading \"/usr/local/bin/kube-apiserver\": 80 of 120 MB (20 MB/s)"],
            sink.Rendered);
    }

    [Fact]
    public void A_small_upload_logs_nothing()
    {
        var sink = new Lines();
        var clock = new Clock();
        var progress = new UploadProgress(new LoggerConfiguration().WriteTo.Sink(sink).CreateLogger(), "cp1", "/etc/kubernetes/admin.conf", 6000, clock);

        clock.Advance(TimeSpan.FromSeconds(10));
        progress.Report(6000);

        Assert.Empty(sink.Rendered);
    }
}
