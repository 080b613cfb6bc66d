using System.Globalization;
using System.Text;

namespace Bootstrap.Core.Remote;

/// <summary>
/// Small text files (a host's <c>/proc</c>, <c>/sys</c> and <c>/etc</c> facts) read in a <see cref="CommandBatch"/> by one
/// <c>sh</c> with its builtins, instead of one <c>cat</c> each: on a host each program started costs a few milliseconds of CPU,
/// the shell's <c>read</c> none. The shell reads byte by byte, so this is for files of a few kilobytes, read to be parsed: a
/// last line without its newline gets one, and a NUL byte is not kept. Files whose exact bytes matter are read with <c>cat</c>,
/// and /proc/sys values (given whole by one read from their start, the first byte only to a read of one byte) with sysctl.
/// Every path arrives as an argument, never as shell code. Each line the script prints starts with the file's index:
/// <c>I:LINE</c> for each line of file I, then <c>I!0</c>, or <c>I!1 REASON</c> when it cannot be read. A file's content cannot
/// forge another's lines or its end, since the script prefixes every line it reads.
/// </summary>
internal sealed class FileReads
{
    internal const string Script =
        "i=0; for f do "
        + "if [ ! -e \"$f\" ]; then printf '%d!1 No such file or directory\\n' \"$i\"; "
        + "elif [ -d \"$f\" ]; then printf '%d!1 Is a directory\\n' \"$i\"; "
        + "elif [ ! -r \"$f\" ]; then printf '%d!1 Permission denied\\n' \"$i\"; "
        + "elif { while IFS= read -r l || [ -n \"$l\" ]; do printf '%d:%s\\n' \"$i\" \"$l\"; done < \"$f\"; } 2>/dev/null; then printf '%d!0\\n' \"$i\"; "
        + "else printf '%d!1 Input/output error\\n' \"$i\"; fi; "
        + "i=$((i + 1)); done";

    private readonly List<string> _paths = [];
    private BatchedCommand? _command;

    /// <summary>Adds <paramref name="path"/> to the files read; its handle reads it back from <see cref="Read"/>'s result.</summary>
    /// <exception cref="ArgumentException">The path is under /proc/sys, whose values the kernel gives in one read from the start
    /// only: the shell's byte-by-byte read would get their first byte (<c>1</c> of <c>10</c>). Those are read with sysctl.</exception>
    public int Add(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (path.StartsWith("/proc/sys/", StringComparison.Ordinal))
        {
            throw new ArgumentException($"{path}: a /proc/sys value is read in one read from its start (sysctl, cat), not by a shell's byte-by-byte read", nameof(path));
        }

        if (_command is not null)
        {
            throw new InvalidOperationException("The reads are in the batch already.");
        }

        _paths.Add(path);
        return _paths.Count - 1;
    }

    /// <summary>Adds the one command that reads every file to <paramref name="batch"/>.</summary>
    public void AddTo(CommandBatch batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        if (_paths.Count == 0)
        {
            throw new InvalidOperationException("No file to read.");
        }

        _command = batch.Add(Argv(_paths));
    }

    /// <summary>The command that reads <paramref name="paths"/>.</summary>
    internal static IReadOnlyList<string> Argv(IReadOnlyList<string> paths) => ["sh", "-c", Script, "sh", .. paths];

    /// <summary>Whether <paramref name="argv"/> is such a command (for hosts that answer commands themselves, in tests).</summary>
    internal static bool IsReadCommand(IReadOnlyList<string> argv) => argv is ["sh", "-c", var script, "sh", ..] && script == Script;

    /// <summary>
    /// Each file's content (null when it could not be read, with the reason); a command that failed or printed anything
    /// else than its framed lines throws naming the host.
    /// </summary>
    public IReadOnlyList<FileRead> Read(CommandBatchRun run, SecretRedactor redactor)
    {
        ArgumentNullException.ThrowIfNull(run);
        var output = run.Checked(_command ?? throw new InvalidOperationException("The reads were never added to a batch."), redactor);
        try
        {
            return Parse(_paths, output);
        }
        catch (FormatException e)
        {
            throw new RemoteCommandException(run.Host, "read " + string.Join(' ', _paths), new CommandResult(1, string.Empty, $"the output is not the files' framed lines: {e.Message}"));
        }
    }

    /// <summary>Splits the script's output back into one <see cref="FileRead"/> per path, in order.</summary>
    internal static IReadOnlyList<FileRead> Parse(IReadOnlyList<string> paths, string output)
    {
        ArgumentNullException.ThrowIfNull(paths);
        ArgumentNullException.ThrowIfNull(output);
        var reads = new List<FileRead>(paths.Count);
        var content = new StringBuilder();
        var lines = output.Split('\n');
        for (var n = 0; n < lines.Length; n++)
        {
            var line = lines[n];
            if (line.Length == 0 && n == lines.Length - 1)
            {
                break;
            }

            var digits = 0;
            while (digits < line.Length && char.IsAsciiDigit(line[digits]))
            {
                digits++;
            }

            if (digits == 0 || digits == line.Length || !int.TryParse(line.AsSpan(0, digits), NumberStyles.None, CultureInfo.InvariantCulture, out var index)
                || index != reads.Count || index >= paths.Count)
            {
                throw NotALine(n, reads.Count);
            }

            var rest = line.AsSpan(digits + 1);
            if (line[digits] == ':')
            {
                content.Append(rest).Append('\n');
            }
            else if (line[digits] == '!' && rest is "0")
            {
                reads.Add(new FileRead(paths[index], content.ToString(), null));
                content.Clear();
            }
            else if (line[digits] == '!' && rest.StartsWith("1 "))
            {
                reads.Add(new FileRead(paths[index], null, rest[2..].ToString()));
                content.Clear();
            }
            else
            {
                throw NotALine(n, reads.Count);
            }
        }

        return reads.Count == paths.Count
            ? reads
            : throw new FormatException(string.Create(CultureInfo.InvariantCulture, $"it ended after {reads.Count} of {paths.Count} files"));

        static FormatException NotALine(int line, int file) =>
            new(string.Create(CultureInfo.InvariantCulture, $"line {line + 1} is not a line of file {file}"));
    }

    /// <summary>What the script prints for files whose content (null: missing) is given, for hosts that answer commands themselves, in tests.</summary>
    internal static string Format(IEnumerable<string?> contents)
    {
        ArgumentNullException.ThrowIfNull(contents);
        var output = new StringBuilder();
        var index = 0;
        foreach (var content in contents)
        {
            if (content is null)
            {
                output.Append(CultureInfo.InvariantCulture, $"{index}!1 No such file or directory\n");
            }
            else
            {
                foreach (var line in content.EndsWith('\n') ? content[..^1].Split('\n') : content.Length == 0 ? [] : content.Split('\n'))
                {
                    output.Append(CultureInfo.InvariantCulture, $"{index}:{line}\n");
                }

                output.Append(CultureInfo.InvariantCulture, $"{index}!0\n");
            }

            index++;
        }

        return output.ToString();
    }
}

/// <summary>One file of <see cref="FileReads"/>: its content (each line with its newline), or why it could not be read.</summary>
internal sealed record FileRead(string Path, string? Content, string? Problem)
{
    /// <summary>The content; a file that could not be read throws naming it and why.</summary>
    public string Checked(string host) =>
        Content ?? throw new RemoteCommandException(host, "read " + Path, new CommandResult(1, string.Empty, $"{Path}: {Problem}"));
}
