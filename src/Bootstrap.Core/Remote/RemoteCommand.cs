using System.Text;

namespace Bootstrap.Core.Remote;

/// <summary>
/// A command as an argument vector. It is never built by concatenating untrusted text: each
/// argument is quoted for the POSIX shell when it is sent, so values cannot change its meaning.
/// </summary>
public sealed record RemoteCommand
{
    public RemoteCommand(IReadOnlyList<string> argv, bool sudo = false, TimeSpan? timeout = null, byte[]? stdin = null)
    {
        ArgumentNullException.ThrowIfNull(argv);
        if (argv.Count == 0 || string.IsNullOrEmpty(argv[0]))
        {
            throw new ArgumentException("A command needs at least a program name.", nameof(argv));
        }

        if (argv.Any(a => a.Contains('\0', StringComparison.Ordinal)))
        {
            throw new ArgumentException("Command arguments cannot contain NUL characters.", nameof(argv));
        }

        Argv = argv.ToArray();
        Sudo = sudo;
        Timeout = timeout;
        Stdin = stdin;
    }

    public IReadOnlyList<string> Argv { get; }

    /// <summary>Run as root (through sudo when the session user is not root).</summary>
    public bool Sudo { get; init; }

    public TimeSpan? Timeout { get; init; }

    /// <summary>Bytes written to the command's standard input, then closed.</summary>
    public byte[]? Stdin { get; init; }

    public static RemoteCommand Of(params string[] argv) => new(argv);

    public RemoteCommand AsRoot() => this with { Sudo = true };

    /// <summary>The argv as one POSIX shell word list, each argument single-quoted when needed.</summary>
    public string ToShellString() => string.Join(' ', Argv.Select(ShellQuote.Quote));

    /// <summary>The form for logs and plans: registered secrets masked.</summary>
    public string ToDisplayString(SecretRedactor redactor)
    {
        ArgumentNullException.ThrowIfNull(redactor);
        var text = new StringBuilder();
        if (Sudo)
        {
            text.Append("sudo ");
        }

        // Mask each argument before quoting: quoting can split a secret (a ' becomes '"'"'), and
        // then masking the quoted text alone would miss it.
        text.AppendJoin(' ', Argv.Select(a => redactor.Redact(a) is var masked && masked == SecretRedactor.Mask ? masked : ShellQuote.Quote(masked)));
        return redactor.Redact(text.ToString());
    }

    public override string ToString() => "RemoteCommand(" + Argv[0] + ", " + Argv.Count + " args)";
}
