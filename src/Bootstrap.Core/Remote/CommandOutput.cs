using System.Buffers;

namespace Bootstrap.Core.Remote;

/// <summary>
/// The bound on what one command may print (each of its standard output and standard error), on every host. A program that
/// reads a device in a file's place (<c>cat</c> of /dev/zero, a tool reading a config directory that holds one) prints without
/// end; kept whole in the workstation's memory, that output would fill it. Past the bound the command is stopped and the
/// call fails naming the host and the command.
/// </summary>
internal static class CommandOutput
{
    /// <summary>
    /// More than any command Bootstrap runs prints: the largest is a small-file read (<see cref="RemoteFileRead.MaxBytes"/> + 1 bytes,
    /// a third more in base64) or a batch of a host's reads (a few hundred KiB).
    /// </summary>
    public const int MaxBytes = 32 * 1024 * 1024;

    /// <summary>
    /// Copies <paramref name="source"/> to its end into <paramref name="destination"/>; throws <see cref="CommandOutputTooLargeException"/>
    /// (naming <paramref name="stream"/>, "standard output") as soon as more than <see cref="MaxBytes"/> arrived, without keeping the rest.
    /// </summary>
    public static async Task CopyAsync(Stream source, MemoryStream destination, string stream, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(destination);
        // Pooled: every command runs two of these (hundreds a run), and most print a few bytes.
        var buffer = ArrayPool<byte>.Shared.Rent(1 << 16);
        try
        {
            int read;
            while ((read = await source.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
            {
                if (destination.Length + read > MaxBytes)
                {
                    throw new CommandOutputTooLargeException(stream) { Partial = destination.ToArray() };
                }

                destination.Write(buffer, 0, read);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>
    /// Waits for both copies (<see cref="CopyAsync"/>) to end, failing as soon as either fails: a command whose output went past
    /// the bound still runs, so the other stream would not end until it is stopped.
    /// </summary>
    public static async Task BothAsync(Task stdout, Task stderr)
    {
        ArgumentNullException.ThrowIfNull(stdout);
        ArgumentNullException.ThrowIfNull(stderr);
        var first = await Task.WhenAny(stdout, stderr).ConfigureAwait(false);
        await first.ConfigureAwait(false);
        await (first == stdout ? stderr : stdout).ConfigureAwait(false);
    }
}

/// <summary>A command printed more than <see cref="CommandOutput.MaxBytes"/> on one stream; <see cref="For"/> names the host and the command.</summary>
internal sealed class CommandOutputTooLargeException(string stream, string who = "the command") : IOException(Describe(who, stream))
{
    /// <summary>Which stream went past the bound: "standard output" or "standard error".</summary>
    public string Stream { get; } = stream;

    /// <summary>What that stream printed up to the bound (a batch finds in it which of its commands was running).</summary>
    public ReadOnlyMemory<byte> Partial { get; init; }

    /// <summary>The same failure, said of <paramref name="display"/> (the command as logged) on <paramref name="host"/>, once stopped there.</summary>
    public CommandOutputTooLargeException For(string host, string display) => Said($"{host}: `{display}`");

    /// <summary>The same failure, said of <paramref name="who"/> ("w1: `cat -- /etc/x`").</summary>
    public CommandOutputTooLargeException Said(string who) => new(Stream, who) { Partial = Partial };

    private static string Describe(string who, string stream) =>
        $"{who} printed more than {Config.FileTooLargeException.Bound(CommandOutput.MaxBytes)} on its {stream}, more than any command Bootstrap runs prints, "
        + "and was stopped (a device or an endless stream where a file was expected?)";
}
