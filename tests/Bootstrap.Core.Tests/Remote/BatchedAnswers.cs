using System.Globalization;
using System.Text;
using Bootstrap.Core.Remote;

namespace Bootstrap.Core.Tests.Remote;

/// <summary>
/// Lets a fake that answers one argv at a time answer a <see cref="CommandBatch"/> session: each command of the
/// session is answered on its own, and the answers are framed the way the real script frames them
/// (<see cref="CommandBatchTests"/> holds the real script to that frame and to <see cref="CommandBatchOutput"/>).
/// </summary>
internal static class BatchedAnswers
{
    /// <summary>Whether <paramref name="command"/> is a batch session: <c>sh -c SCRIPT sh NONCE …</c>.</summary>
    public static bool IsBatch(RemoteCommand command) => command.Argv is ["sh", "-c", var script, "sh", _, ..] && script == CommandBatch.Script;

    /// <summary>The commands of a batch session, each as root when the session is.</summary>
    public static IReadOnlyList<RemoteCommand> Commands(RemoteCommand session)
    {
        ArgumentNullException.ThrowIfNull(session);
        var commands = new List<RemoteCommand>();
        for (var i = 5; i < session.Argv.Count;)
        {
            var count = int.Parse(session.Argv[i], NumberStyles.None, CultureInfo.InvariantCulture);
            commands.Add(new RemoteCommand(session.Argv.Skip(i + 1).Take(count).ToList(), session.Sudo));
            i += count + 1;
        }

        return commands;
    }

    /// <summary>The session's output: each of its commands answered by <paramref name="answer"/>, framed.</summary>
    public static CommandResult Answer(RemoteCommand session, Func<RemoteCommand, CommandResult> answer)
    {
        ArgumentNullException.ThrowIfNull(answer);
        var nonce = session.Argv[4];
        var stdout = new StringBuilder();
        var stderr = new StringBuilder();
        var commands = Commands(session);
        for (var i = 0; i < commands.Count; i++)
        {
            var result = answer(commands[i]);
            stdout.Append(CultureInfo.InvariantCulture, $"{nonce} begin {i}\n{result.Stdout}\n{nonce} end {i} {result.ExitCode}\n");
            stderr.Append(CultureInfo.InvariantCulture, $"{nonce} begin {i}\n{result.Stderr}\n{nonce} end {i} {result.ExitCode}\n");
        }

        stdout.Append(CultureInfo.InvariantCulture, $"{nonce} done {commands.Count}\n");
        stderr.Append(CultureInfo.InvariantCulture, $"{nonce} done {commands.Count}\n");
        return new CommandResult(0, stdout.ToString(), stderr.ToString());
    }
}
