using System.Globalization;

namespace Bootstrap.Core.Remote;

/// <summary>
/// Splits what a <see cref="CommandBatch"/> session printed into each command's result. Pure: the session's
/// output comes in as text. The frame (<c>templates/command-batch.sh.sbn</c>), on standard output and standard
/// error alike: for command I, the line <c>NONCE begin I</c>, what the command printed, a newline added by the
/// script, and the line <c>NONCE end I STATUS</c>; after the last command, <c>NONCE done COUNT</c>. Anything
/// before the first frame line (a sudo warning, a login script's noise) belongs to no command and is ignored;
/// anything else out of place — a missing, reordered or disagreeing frame line, output after the end — is a
/// <see cref="FormatException"/> saying where, never a result.
/// </summary>
internal static class CommandBatchOutput
{
    /// <summary>
    /// Each command's result in order; or null when the script never started (no frame line at all and a
    /// non-zero exit: the shell, or sudo in front of it, refused to run it; <paramref name="session"/> says why).
    /// </summary>
    public static IReadOnlyList<CommandResult>? Parse(string nonce, int count, CommandResult session)
    {
        ArgumentException.ThrowIfNullOrEmpty(nonce);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(count);
        ArgumentNullException.ThrowIfNull(session);

        if (FirstFrame(session.Stdout, nonce) < 0)
        {
            return session.Succeeded
                ? throw new FormatException("the script printed none of its frame lines on its standard output")
                : null;
        }

        var stdout = Sections(session.Stdout, nonce, count, "standard output");
        var stderr = Sections(session.Stderr, nonce, count, "standard error");
        if (!session.Succeeded)
        {
            throw new FormatException(Invariant($"the session exited {session.ExitCode} after the script's last command"));
        }

        var results = new List<CommandResult>(count);
        for (var i = 0; i < count; i++)
        {
            if (stdout[i].Status != stderr[i].Status)
            {
                throw new FormatException(Invariant(
                    $"command {i} ended with status {stdout[i].Status} on standard output but {stderr[i].Status} on standard error"));
            }

            results.Add(new CommandResult(stdout[i].Status, stdout[i].Text, stderr[i].Text));
        }

        return results;
    }

    /// <summary>
    /// The index of the last command whose frame began in <paramref name="partial"/> (what one stream of a session printed before
    /// it was cut short), or null when none did.
    /// </summary>
    public static int? LastBegun(string nonce, ReadOnlySpan<byte> partial)
    {
        ArgumentException.ThrowIfNullOrEmpty(nonce);
        var marker = System.Text.Encoding.ASCII.GetBytes("\n" + nonce + " begin ");
        var at = partial.LastIndexOf(marker);
        var start = at >= 0 ? at + marker.Length
            : partial.StartsWith(marker.AsSpan(1)) ? marker.Length - 1
            : -1;
        if (start < 0)
        {
            return null;
        }

        var end = partial[start..].IndexOf((byte)'\n');
        return end > 0 && int.TryParse(partial.Slice(start, end), NumberStyles.None, CultureInfo.InvariantCulture, out var index) ? index : null;
    }

    /// <summary>Where the line <c>NONCE begin 0</c> starts (at the start of the text or of a line), or -1.</summary>
    private static int FirstFrame(string text, string nonce)
    {
        var first = nonce + " begin 0\n";
        if (text.StartsWith(first, StringComparison.Ordinal))
        {
            return 0;
        }

        var at = text.IndexOf("\n" + first, StringComparison.Ordinal);
        return at < 0 ? -1 : at + 1;
    }

    private static List<(string Text, int Status)> Sections(string text, string nonce, int count, string stream)
    {
        var position = FirstFrame(text, nonce);
        if (position < 0)
        {
            throw new FormatException($"the {stream} has no frame line for command 0");
        }

        var sections = new List<(string Text, int Status)>(count);
        for (var i = 0; i < count; i++)
        {
            var begin = Invariant($"{nonce} begin {i}\n");
            if (string.CompareOrdinal(text, position, begin, 0, begin.Length) != 0)
            {
                throw new FormatException(Invariant($"the {stream} lacks the start of command {i} where expected{Ending(text, position)}"));
            }

            var contentStart = position + begin.Length;
            var endLine = Invariant($"\n{nonce} end {i} ");
            var end = text.IndexOf(endLine, contentStart, StringComparison.Ordinal);
            if (end < 0)
            {
                throw new FormatException(Invariant($"the {stream} ends inside command {i} (of {count})"));
            }

            var statusStart = end + endLine.Length;
            var statusEnd = text.IndexOf('\n', statusStart);
            if (statusEnd < 0
                || !int.TryParse(text.AsSpan(statusStart, statusEnd - statusStart), NumberStyles.None, CultureInfo.InvariantCulture, out var status)
                || status > 255)
            {
                throw new FormatException(Invariant($"the {stream} has no exit status for command {i}"));
            }

            sections.Add((text[contentStart..end], status));
            position = statusEnd + 1;
        }

        var done = Invariant($"{nonce} done {count}\n");
        if (string.CompareOrdinal(text, position, done, 0, done.Length) != 0)
        {
            throw new FormatException(Invariant($"the {stream} lacks the end of the script after command {count - 1}{Ending(text, position)}"));
        }

        if (position + done.Length != text.Length)
        {
            throw new FormatException($"the {stream} goes on after the end of the script");
        }

        return sections;
    }

    private static string Ending(string text, int position) => position >= text.Length ? " (it ends there)" : string.Empty;

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
