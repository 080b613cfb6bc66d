using System.Collections.Concurrent;
using System.Diagnostics;
using Bootstrap.Core.Kubernetes;
using Serilog;
using Serilog.Core;
using Serilog.Events;

namespace Bootstrap.Core.Tests.Kubernetes;

/// <summary>The API client's warm-up beside the connections: it never fails a run, writes nothing and stays within its time.</summary>
public sealed class ApiSourceTests : IDisposable
{
    private readonly string _state = Directory.CreateTempSubdirectory("bs-warm-").FullName;
    private readonly Messages _log = new();

    public void Dispose() => Directory.Delete(_state, recursive: true);

    [Fact]
    public async Task A_state_without_admin_conf_is_not_warmed_up_and_nothing_is_written()
    {
        await ApiSource.WarmUpAsync(_state, TimeSpan.FromSeconds(3), _log.Logger, CancellationToken.None);

        Assert.Empty(_log.Lines);
        Assert.Empty(Directory.EnumerateFileSystemEntries(_state));
    }

    [Fact]
    public async Task An_api_that_refuses_connections_ends_the_warm_up_within_its_time_and_says_so()
    {
        await File.WriteAllTextAsync(Path.Combine(_state, "admin.conf"), ClusterApiTests.RefusingKubeconfig("warm-up-secret-token"));
        var clock = Stopwatch.StartNew();

        await ApiSource.WarmUpAsync(_state, TimeSpan.FromSeconds(3), _log.Logger, CancellationToken.None);

        Assert.InRange(clock.Elapsed, TimeSpan.Zero, TimeSpan.FromSeconds(10));
        Assert.Equal(["[connect] API client warmed up (the API did not answer)"], _log.Lines);
    }

    [Fact]
    public async Task A_malformed_admin_conf_is_skipped_without_an_error_or_its_content_in_the_log()
    {
        await File.WriteAllTextAsync(Path.Combine(_state, "admin.conf"), "clusters: [ {{ token: warm-up-secret-token");

        await ApiSource.WarmUpAsync(_state, TimeSpan.FromSeconds(3), _log.Logger, CancellationToken.None);

        var line = Assert.Single(_log.Lines);
        Assert.StartsWith("[connect] API client warm-up skipped: ", line, StringComparison.Ordinal);
        Assert.DoesNotContain("warm-up-secret-token", line, StringComparison.Ordinal);
    }

    private sealed class Messages : ILogEventSink
    {
        private readonly ConcurrentQueue<string> _lines = new();

        public Messages() => Logger = new LoggerConfiguration().MinimumLevel.Debug().WriteTo.Sink(this).CreateLogger();

        public ILogger Logger { get; }

        public IReadOnlyList<string> Lines => [.. _lines];

        public void Emit(LogEvent logEvent) => _lines.Enqueue(logEvent.RenderMessage(System.Globalization.CultureInfo.InvariantCulture).Replace("\"", string.Empty, StringComparison.Ordinal));
    }
}
