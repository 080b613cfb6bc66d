namespace Bootstrap.Core.Workflow;

/// <summary>
/// One read a phase made of a host, as <see cref="ReadAhead"/> recognises it again: a command (its argv and whether it ran
/// as root; its timeout does not matter) or the content of a file (its path).
/// </summary>
internal readonly record struct ReadKey
{
    private const char Separator = '\0';

    private ReadKey(bool isFile, bool sudo, string text)
    {
        IsFile = isFile;
        Sudo = sudo;
        Text = text;
    }

    /// <summary>A file's content (<see cref="Bootstrap.Core.Remote.IRemoteHost.DownloadAsync"/>, always read as root).</summary>
    public bool IsFile { get; }

    public bool Sudo { get; }

    /// <summary>The path of a file; the argv of a command, joined by NUL (which no argument holds).</summary>
    public string Text { get; }

    public IReadOnlyList<string> Argv => IsFile ? throw new InvalidOperationException("a file read has no argv") : Text.Split(Separator);

    public string Path => IsFile ? Text : throw new InvalidOperationException("a command has no path");

    public static ReadKey Command(IReadOnlyList<string> argv, bool sudo) => new(false, sudo, string.Join(Separator, argv));

    public static ReadKey File(string path) => new(true, true, path);
}
