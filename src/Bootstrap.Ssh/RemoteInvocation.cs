using System.Text;
using Bootstrap.Core.Remote;

namespace Bootstrap.Ssh;

/// <summary>
/// What goes to the host's shell for a <see cref="RemoteCommand"/>: the command line, and what the client writes to its standard
/// input. Either way, the host never closes the channel before the client's end of input (EOF) has reached it. sshd closes the
/// channel of a command that has exited, and an EOF that reaches it after that is for a channel sshd no longer has, which it
/// answers by dropping the whole connection ("ieof packet referred to nonexistent channel", seen on the lab when a script exited
/// before its input ended). So:
/// <list type="bullet">
/// <item>a command without input gets none from the client, no EOF either, and reads <c>/dev/null</c> (before, it got no EOF at
/// all: SSH.NET sends none for an input stream nothing was written to, so a command that read its input waited for its
/// timeout);</item>
/// <item>a command with input reads it to its end (the scripts that take content wait for it, <see cref="AtomicInstall.AwaitEndOfInput"/>,
/// also when they fail);</item>
/// <item>with a sudo password, the password is the first line of the input: a command that takes no other input runs on
/// <c>/dev/null</c> under a root shell that waits for the end of the input once the command is done (<see cref="AwaitingEndOfInput"/>),
/// with the command's exit status.</item>
/// </list>
/// Every command line starts with an assignment of <see cref="MarkerVariable"/>, unique to the command: the processes it starts carry it
/// in their environment (sudo's own included), so a command the client gives up on can be found and stopped (<see cref="Stop"/>).
/// </summary>
/// <param name="Text">The command line for the login user's shell.</param>
/// <param name="Stdin">What the client writes to the command's standard input before the content, if any.</param>
/// <param name="SendsInput">Whether the client opens the command's input (writes <paramref name="Stdin"/> and the content, then EOF).</param>
internal sealed record RemoteInvocation(string Text, byte[]? Stdin, bool SendsInput)
{
    /// <summary>
    /// A root shell that runs its arguments as a command reading <c>/dev/null</c>, then reads its own input to the end (a shell builtin:
    /// no program started) and exits with the command's status.
    /// </summary>
    internal const string AwaitingEndOfInput = "sh -c '\"$@\" </dev/null; s=$?; " + AtomicInstall.AwaitEndOfInput + "; exit $s' sh ";

    /// <summary>The environment variable that marks the processes of one command (<see cref="For"/>).</summary>
    internal const string MarkerVariable = "BOOTSTRAP_COMMAND";

    /// <summary>
    /// Sends SIGTERM to the process group of every process whose environment holds the assignment given as its argument. sshd
    /// starts each command in a session (and process group) of its own, and a shell without job control keeps its children in
    /// it, so the group is the command with everything it started; sudo relays the signal to a command it runs on a terminal
    /// of its own. A group leader's id is never below 2. What ended meanwhile is not found, and nothing found is not an error.
    /// </summary>
    private const string StopScript =
        "for f in $(grep -lsxzF -e \"$1\" /proc/[0-9]*/environ); do p=${f#/proc/}; p=${p%/environ}; " +
        "read -r s < \"/proc/$p/stat\" || continue; s=${s##*) }; set -- $s; " +
        "if [ \"$3\" -gt 1 ]; then kill -TERM \"-$3\" 2>/dev/null; fi; done; exit 0";

    /// <summary>
    /// Stops, on the host, the command that ran with <paramref name="marker"/>, and what it started: run as root when the command
    /// itself was (its processes may be root's), else as the login user (whose processes they are).
    /// </summary>
    public static RemoteCommand Stop(string marker, bool sudo) =>
        new(["sh", "-c", StopScript, "sh", MarkerVariable + "=" + marker], sudo: sudo, timeout: TimeSpan.FromSeconds(10));

    /// <summary>A new marker for one command: 16 hexadecimal digits, random.</summary>
    public static string NewMarker() => Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(8));

    /// <param name="hasContent">Content is streamed to the command's input after <see cref="RemoteCommand.Stdin"/>.</param>
    /// <param name="isRoot">The login user is root: no sudo.</param>
    /// <param name="sudoPassword">The login user's sudo password, when sudo asks for one.</param>
    /// <param name="marker">The command's marker (<see cref="NewMarker"/>), assigned to <see cref="MarkerVariable"/> for it; none when null.</param>
    public static RemoteInvocation For(RemoteCommand command, bool hasContent, bool isRoot, string? sudoPassword, string? marker = null)
    {
        ArgumentNullException.ThrowIfNull(command);
        var invocation = Unmarked(command, hasContent, isRoot, sudoPassword);
        return marker is null ? invocation : invocation with { Text = $"{MarkerVariable}={marker} {invocation.Text}" };
    }

    private static RemoteInvocation Unmarked(RemoteCommand command, bool hasContent, bool isRoot, string? sudoPassword)
    {
        var text = command.ToShellString();
        var takesInput = command.Stdin is not null || hasContent;
        if (command.Sudo && !isRoot && sudoPassword is not null)
        {
            // -k: always ask, so the password line is never left over for the command to read; -p '': no prompt text in stderr.
            var password = Encoding.UTF8.GetBytes(sudoPassword + "\n");
            return takesInput
                ? new RemoteInvocation("sudo -k -S -p '' -- " + text, [.. password, .. command.Stdin ?? []], SendsInput: true)
                : new RemoteInvocation("sudo -k -S -p '' -- " + AwaitingEndOfInput + text, password, SendsInput: true);
        }

        if (command.Sudo && !isRoot)
        {
            text = "sudo -n -- " + text;
        }

        return takesInput ? new RemoteInvocation(text, command.Stdin, SendsInput: true) : new RemoteInvocation(text + " </dev/null", null, SendsInput: false);
    }
}
