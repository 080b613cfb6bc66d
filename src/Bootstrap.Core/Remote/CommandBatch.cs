using System.Globalization;
using System.Security.Cryptography;
using Bootstrap.Core.Rendering;

namespace Bootstrap.Core.Remote;

/// <summary>
/// Reading commands run on a host in one session, one round trip instead of one per command: the fixed script
/// <c>templates/command-batch.sh.sbn</c> (<c>sh -c SCRIPT</c>) runs each command from its arguments — each
/// command stays an argv, never text the shell parses — and frames what each printed, which
/// <see cref="CommandBatchOutput"/> splits back into a <see cref="CommandResult"/> per command. Every command runs in the
/// C locale (the script exports <c>LC_ALL=C</c>), so a command's <c>env LC_ALL=C</c> prefix travels without its <c>env</c>
/// (<see cref="InBatch"/>): one program start fewer, the same environment. For commands that
/// only read: one that fails does not stop the others, and nothing is retried. The script is an argument, not
/// standard input: with a sudo password, sudo reads its input, and after a wrong password it would read the
/// script's lines as more attempts.
/// </summary>
internal sealed class CommandBatch(bool sudo)
{
    public const string TemplateName = "command-batch.sh.sbn";

    private static readonly Lazy<string> ScriptText = new(() => new TemplateRenderer().Render(TemplateName, new { }));

    private readonly List<BatchedCommand> _commands = [];

    /// <summary>The script every batch runs (the same text for every host and run).</summary>
    public static string Script => ScriptText.Value;

    /// <summary>Whether the whole batch runs as root (through sudo when the login user is not root).</summary>
    public bool Sudo => sudo;

    public IReadOnlyList<BatchedCommand> Commands => _commands;

    /// <summary>Whether <paramref name="command"/> is a batch's session (<see cref="ToCommand"/>): new for every run, never the same twice.</summary>
    public static bool IsBatch(RemoteCommand command) =>
        command is { Argv: [ "sh", "-c", var script, ..] } && script == Script;

    /// <summary>
    /// Shell builtins that change the shell running them (its directory, variables, arguments, traps, limits, or whether it
    /// goes on): the script runs each command in its own shell, so none of them may be batched.
    /// </summary>
    private static readonly HashSet<string> ShellStateBuiltins = new(StringComparer.Ordinal)
    {
        ".", "alias", "bg", "break", "cd", "continue", "eval", "exec", "exit", "export", "fg", "getopts", "hash", "local", "read",
        "readonly", "return", "set", "shift", "source", "trap", "ulimit", "umask", "unalias", "unset", "wait",
    };

    /// <summary>Whether a command may go into a batch: its program is not a builtin that would change the batch's own shell.</summary>
    public static bool Batchable(IReadOnlyList<string> argv)
    {
        ArgumentNullException.ThrowIfNull(argv);
        return argv.Count > 0 && !ShellStateBuiltins.Contains(argv[0]);
    }

    /// <summary>Adds a command, run after those added before it.</summary>
    /// <exception cref="ArgumentException">The program is a shell builtin that would change the batch's own shell.</exception>
    public BatchedCommand Add(params IReadOnlyList<string> argv)
    {
        ArgumentNullException.ThrowIfNull(argv);
        // The same rules as any command: a program name, no NUL.
        var command = new RemoteCommand(argv);
        var run = InBatch(command.Argv);
        if (!Batchable(run))
        {
            throw new ArgumentException($"`{run[0]}` is a shell builtin that would change the batch's own shell; a batch runs programs and reading builtins only", nameof(argv));
        }

        var batched = new BatchedCommand(this, _commands.Count, command.Argv);
        _commands.Add(batched);
        return batched;
    }

    /// <summary>The session's command: <c>sh -c SCRIPT sh NONCE</c>, then each command as its argument count and its arguments.</summary>
    public RemoteCommand ToCommand(string nonce)
    {
        ArgumentException.ThrowIfNullOrEmpty(nonce);
        if (_commands.Count == 0)
        {
            throw new InvalidOperationException("A command batch needs at least one command.");
        }

        return new RemoteCommand(
            ["sh", "-c", Script, "sh", nonce, .. _commands.Select(c => InBatch(c.Argv)).SelectMany(argv => argv.Prepend(argv.Count.ToString(CultureInfo.InvariantCulture)))],
            sudo);
    }

    /// <summary>
    /// A command as the batch runs it: <c>env LC_ALL=C PROGRAM ARG...</c> is <c>PROGRAM ARG...</c>, since the script already runs
    /// every command with <c>LC_ALL=C</c> in its environment (and <c>command</c> finds the program on the PATH as <c>env</c>
    /// does); any other command is unchanged, as is an <c>env</c> given options or more variables.
    /// </summary>
    internal static IReadOnlyList<string> InBatch(IReadOnlyList<string> argv) =>
        argv is ["env", "LC_ALL=C", var program, ..] && !program.StartsWith('-') && !program.Contains('=', StringComparison.Ordinal)
            ? argv.Skip(2).ToList()
            : argv;

    /// <summary>
    /// Runs the batch on <paramref name="host"/>. Output that does not parse (cut short, out of order) throws naming
    /// the host; a script that never started (sudo refused) is a run whose <see cref="CommandBatchRun.Started"/> is false.
    /// The session is bounded by <paramref name="timeout"/> when given, else by the host's command timeout.
    /// </summary>
    public async Task<CommandBatchRun> RunAsync(ICommandRunner host, CancellationToken cancellationToken, TimeSpan? timeout = null)
    {
        ArgumentNullException.ThrowIfNull(host);
        // New for each run: no command's output can hold it, so none can end its frame early or forge another's.
        var nonce = "bootstrap-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
        var command = ToCommand(nonce) with { Timeout = timeout };
        CommandResult session;
        try
        {
            session = await host.RunAsync(command, cancellationToken).ConfigureAwait(false);
        }
        catch (CommandOutputTooLargeException e)
        {
            // Said of the command that was running (its frame began last), not of the whole script.
            var running = CommandBatchOutput.LastBegun(nonce, e.Partial.Span);
            var who = running is { } index && index < _commands.Count
                ? $"`{string.Join(' ', InBatch(_commands[index].Argv).Select(ShellQuote.Quote))}` (read with {_commands.Count - 1} other commands in one session)"
                : $"the session reading {_commands.Count} commands at once";
            throw e.Said($"{host.Name}: {who}");
        }

        IReadOnlyList<CommandResult>? results;
        try
        {
            results = CommandBatchOutput.Parse(nonce, _commands.Count, session);
        }
        catch (FormatException e)
        {
            var stderr = session.Stderr.Trim();
            var tail = stderr.Length == 0 ? string.Empty : "; its standard error ends: " + (stderr.Length <= 500 ? stderr : "…" + stderr[^500..]);
            throw new InvalidDataException(string.Create(CultureInfo.InvariantCulture,
                $"{host.Name}: the session reading {_commands.Count} commands at once (exit {session.ExitCode}) printed something other than their framed output: {e.Message}{tail}"), e);
        }

        return new CommandBatchRun(host.Name, this, command, session, results);
    }
}
