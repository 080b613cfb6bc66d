using Serilog;

namespace Bootstrap.Core.Remote;

/// <summary>
/// Live progress of one large upload (or download): a log line with bytes moved and the rate, at most every
/// <see cref="Interval"/>, so a long transfer shows it is moving. Small files log nothing.
/// </summary>
public sealed class UploadProgress
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(2);

    /// <summary>Files smaller than this finish before a progress line would help.</summary>
    public const long MinimumBytes = 16L << 20;

    private readonly ILogger _log;
    private readonly string _host;
    private readonly string _path;
    private readonly long _total;
    private readonly TimeProvider _time;
    private readonly long _started;
    private readonly Lock _gate = new();
    private readonly string _verb;
    private readonly TransferGarbage _garbage;
    private TimeSpan _last;
    private long _sent;

    /// <param name="verb">What is happening to the file: <c>uploading</c>, or <c>downloading</c>.</param>
    /// <param name="garbage">Where the bytes moved are counted (<see cref="TransferGarbage.Shared"/> unless a test counts).</param>
    public UploadProgress(ILogger log, string host, string path, long total, TimeProvider? time = null, string verb = "uploading", TransferGarbage? garbage = null)
    {
        _verb = verb;
        _garbage = garbage ?? TransferGarbage.Shared;
        _log = log;
        _host = host;
        _path = path;
        _total = total;
        _time = time ?? TimeProvider.System;
        _started = _time.GetTimestamp();
    }

    /// <summary>The callback for SSH.NET's upload: bytes sent so far.</summary>
    public void Report(ulong sent)
    {
        _garbage.Moved((long)sent - Interlocked.Exchange(ref _sent, (long)sent));
        var now = _time.GetElapsedTime(_started);
        lock (_gate)
        {
            // Reports may arrive on several threads; one line per interval.
            if (_total < MinimumBytes || now - _last < Interval)
            {
                return;
            }

            _last = now;
        }

        var megabytes = sent / 1048576.0;
        _log.Information(
            "{Host}: {Verb:l} {Path}: {Sent:0} of {Total:0} MB ({Rate:0} MB/s)",
            _host, _verb, _path, megabytes, _total / 1048576.0, megabytes / Math.Max(now.TotalSeconds, 0.001));
    }
}
