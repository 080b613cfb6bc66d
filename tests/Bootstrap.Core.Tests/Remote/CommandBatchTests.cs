using Bootstrap.Core.Remote;
using Bootstrap.Core.Tests.Workflow;
using Serilog.Core;

namespace Bootstrap.Core.Tests.Remote;

/// <summary>The real script (templates/command-batch.sh.sbn) run by real shells on this machine, read back by <see cref="CommandBatchOutput"/>.</summary>
public sealed class CommandBatchTests : IAsyncDisposable
{
    private readonly LocalHost _host = new("self", new SecretRedactor(), Logger.None);
    private readonly string _marker = Path.Combine(Path.GetTempPath(), "bootstrap-batch-" + Guid.NewGuid().ToString("N"));

    /// <summary>Commands whose output is awkward to frame or whose arguments a shell would love to parse.</summary>
    private string[][] Awkward =>
    [
        ["printf", "%s", "no newline at the end"],
        ["printf", ""],
        ["printf", "two\n\nblank lines, then more\n\n\n"],
        ["sh", "-c", "echo out; echo err >&2; exit 3"],
        ["printf", "%s\n", "bootstrap-00 end 0 0", "bootstrap-00 done 1", "-n"],
        ["cat", "/no/such/file"],
        ["printf", "%s|", "$(touch " + _marker + ")", "`touch " + _marker + "`", "; touch " + _marker, "'", "\"", "\\", "a b", "*", ""],
        ["printf", "é ✓ ünïcode\n"],
        ["cat"],
        ["test", "-d", "/proc"],
        ["test", "-d", "/no/such/directory"],
    ];

    public ValueTask DisposeAsync() => _host.DisposeAsync();

    /// <summary>
    /// A batched tool that reads a device in a file's place (systemd-analyze over a sysctl.d link to /dev/zero, seen on the lab)
    /// prints without end: the session is stopped at the bound, and the error names that command, not the whole script.
    /// </summary>
    [Theory]
    [InlineData("cat /dev/zero", "standard output")]
    [InlineData("cat /dev/zero >&2", "standard error")]
    public async Task A_batched_command_that_prints_without_end_is_named_when_the_session_is_stopped(string script, string stream)
    {
        var batch = new CommandBatch(sudo: false);
        batch.Add("echo", "before");
        batch.Add("sh", "-c", script);
        batch.Add("echo", "after");

        var failed = await Assert.ThrowsAsync<CommandOutputTooLargeException>(() => batch.RunAsync(_host, CancellationToken.None).WaitAsync(TimeSpan.FromMinutes(1)));

        Assert.Equal(
            $"self: `sh -c '{script}'` (read with 2 other commands in one session) printed more than 32 MiB on its {stream}, more than any command Bootstrap runs prints, and was stopped (a device or an endless stream where a file was expected?)",
            failed.Message);
    }

    [Theory]
    [InlineData("sh")]
    [InlineData("bash")]
    public async Task Each_command_gets_what_it_gets_when_run_alone_and_no_argument_is_parsed_as_code(string shell)
    {
        var batch = new CommandBatch(sudo: false);
        var commands = Awkward.Select(argv => batch.Add(argv)).ToList();

        var results = await RunUnderAsync(shell, batch);

        for (var i = 0; i < commands.Count; i++)
        {
            Assert.Equal(await _host.RunAsync(new RemoteCommand(commands[i].Argv), CancellationToken.None), results[i]);
        }

        Assert.False(File.Exists(_marker));
        Assert.Equal("$(touch " + _marker + ")|`touch " + _marker + "`|; touch " + _marker + "|'|\"|\\|a b|*||", results[6].Stdout);
    }

    [Fact]
    public async Task A_missing_program_fails_alone_and_the_commands_after_it_still_run()
    {
        var batch = new CommandBatch(sudo: false);
        var missing = batch.Add("no-such-program-xyz", "arg");
        var function = batch.Add("run", "1", "true");
        var after = batch.Add("printf", "still here");

        var run = await batch.RunAsync(_host, CancellationToken.None);

        Assert.Equal(127, run[missing].ExitCode);
        Assert.Contains("no-such-program-xyz", run[missing].Stderr, StringComparison.Ordinal);
        // "run" is the script's own function: a command of that name is looked up as a program, like any other.
        Assert.Equal(127, run[function].ExitCode);
        Assert.Equal(new CommandResult(0, "still here", string.Empty), run[after]);
    }

    [Theory]
    [InlineData("cd")]
    [InlineData("exit")]
    [InlineData("set")]
    [InlineData("shift")]
    [InlineData("exec")]
    [InlineData("eval")]
    [InlineData(".")]
    [InlineData("trap")]
    [InlineData("umask")]
    public void A_builtin_that_would_change_the_batchs_own_shell_is_refused(string builtin)
    {
        var error = Assert.Throws<ArgumentException>(() => new CommandBatch(sudo: false).Add(builtin, "x"));

        Assert.StartsWith($"`{builtin}` is a shell builtin that would change the batch's own shell", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("sh")]
    [InlineData("bash")]
    public async Task A_command_sees_none_of_the_scripts_variables_and_the_ones_after_it_see_the_same_shell(string shell)
    {
        var batch = new CommandBatch(sudo: false);
        var first = batch.Add("sh", "-c", "echo \"[$nonce][$count][$words][$i][$index][$status]\"; pwd");
        var many = batch.Add(["printf", "%s.", .. Enumerable.Range(1, 25).Select(n => n.ToString(System.Globalization.CultureInfo.InvariantCulture))]);
        var again = batch.Add("sh", "-c", "echo \"[$nonce][$count][$words][$i][$index][$status]\"; pwd");

        var results = await RunUnderAsync(shell, batch);

        Assert.Equal(results[first.Index], results[again.Index]);
        Assert.StartsWith("[][][][][][]\n", results[first.Index].Stdout, StringComparison.Ordinal);
        Assert.Equal(string.Concat(Enumerable.Range(1, 25).Select(n => $"{n}.")), results[many.Index].Stdout);
    }

    [Fact]
    public async Task A_checked_command_that_failed_throws_naming_the_host_and_the_command()
    {
        var batch = new CommandBatch(sudo: true);
        var cat = batch.Add("cat", "/no/such/file");
        var run = await batch.RunAsync(new FakeHost("w1", command => BatchedAnswers.Answer(command, one => new CommandResult(1, string.Empty, "cat: /no/such/file: No such file or directory\n"))), CancellationToken.None);

        var error = Assert.Throws<RemoteCommandException>(() => run.Checked(cat, new SecretRedactor()));

        Assert.Equal("w1: `sudo cat /no/such/file` exited 1: cat: /no/such/file: No such file or directory", error.Message);
    }

    [Fact]
    public async Task Sudo_refusing_to_start_the_script_is_a_run_that_did_not_start()
    {
        var batch = new CommandBatch(sudo: true);
        var id = batch.Add("id", "-u");

        var run = await batch.RunAsync(new FakeHost("w1", _ => new CommandResult(1, string.Empty, "sudo: a password is required\n")), CancellationToken.None);

        Assert.False(run.Started);
        Assert.Equal(new CommandResult(1, string.Empty, "sudo: a password is required\n"), run.Session);
        Assert.Throws<InvalidOperationException>(() => run[id]);
        var error = Assert.Throws<RemoteCommandException>(() => run.EnsureStarted(new SecretRedactor()));
        Assert.StartsWith("w1: `sudo sh -c ", error.Message, StringComparison.Ordinal);
        Assert.EndsWith(" 2 id -u` exited 1: sudo: a password is required", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Output_cut_short_is_an_error_naming_the_host_never_a_result()
    {
        var batch = new CommandBatch(sudo: false);
        batch.Add("uname", "-n");
        batch.Add("nproc");
        var host = new FakeHost("w2", command =>
        {
            var whole = BatchedAnswers.Answer(command, _ => new CommandResult(0, "1\n", string.Empty));
            return new CommandResult(0, whole.Stdout[..(whole.Stdout.Length / 2)], whole.Stderr);
        });

        var error = await Assert.ThrowsAsync<InvalidDataException>(() => batch.RunAsync(host, CancellationToken.None));

        Assert.StartsWith("w2: the session reading 2 commands at once (exit 0) printed something other than their framed output: ", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Each_command_travels_as_its_argument_count_and_its_arguments_after_the_fixed_script()
    {
        var batch = new CommandBatch(sudo: true);
        batch.Add("date", "+%s%N");
        batch.Add("sh", "-c", "for b do command -v \"$b\" || true; done", "sh", "ip", "ss");

        var command = batch.ToCommand("bootstrap-42");

        Assert.True(command.Sudo);
        Assert.Equal(
            ["sh", "-c", CommandBatch.Script, "sh", "bootstrap-42", "2", "date", "+%s%N", "6", "sh", "-c", "for b do command -v \"$b\" || true; done", "sh", "ip", "ss"],
            command.Argv);
        Assert.Null(command.Stdin);
    }

    [Theory]
    [InlineData("sh")]
    [InlineData("bash")]
    public async Task Every_command_runs_in_the_C_locale_and_an_env_LC_ALL_C_in_front_of_one_travels_without_its_env(string shell)
    {
        var batch = new CommandBatch(sudo: false);
        var prefixed = batch.Add("env", "LC_ALL=C", "sh", "-c", "echo \"$LC_ALL\"");
        var plain = batch.Add("sh", "-c", "echo \"$LC_ALL\"");
        var options = batch.Add("env", "-u", "LC_ALL", "sh", "-c", "echo \"[$LC_ALL]\"");
        var more = batch.Add("env", "LC_ALL=C", "LANG=C", "sh", "-c", "echo \"$LANG\"");

        var command = batch.ToCommand("bootstrap-7");
        var results = await RunUnderAsync(shell, batch);

        Assert.Equal(
            ["sh", "-c", CommandBatch.Script, "sh", "bootstrap-7",
                "3", "sh", "-c", "echo \"$LC_ALL\"",
                "3", "sh", "-c", "echo \"$LC_ALL\"",
                "6", "env", "-u", "LC_ALL", "sh", "-c", "echo \"[$LC_ALL]\"",
                "6", "env", "LC_ALL=C", "LANG=C", "sh", "-c", "echo \"$LANG\""],
            command.Argv);
        Assert.Equal(new CommandResult(0, "C\n", string.Empty), results[prefixed.Index]);
        Assert.Equal(new CommandResult(0, "C\n", string.Empty), results[plain.Index]);
        Assert.Equal(new CommandResult(0, "[]\n", string.Empty), results[options.Index]);
        Assert.Equal(new CommandResult(0, "C\n", string.Empty), results[more.Index]);
        Assert.Equal(["env", "LC_ALL=C", "sh", "-c", "echo \"$LC_ALL\""], prefixed.Argv);
    }

    [Fact]
    public void A_builtin_behind_env_LC_ALL_C_is_refused_as_the_batch_would_run_it_without_env()
    {
        var error = Assert.Throws<ArgumentException>(() => new CommandBatch(sudo: false).Add("env", "LC_ALL=C", "cd", "/"));

        Assert.StartsWith("`cd` is a shell builtin that would change the batch's own shell", error.Message, StringComparison.Ordinal);
    }

    /// <summary>Runs <paramref name="batch"/> under <paramref name="shell"/> (its <c>sh</c> replaced), and reads it back.</summary>
    private async Task<IReadOnlyList<CommandResult>> RunUnderAsync(string shell, CommandBatch batch)
    {
        const string nonce = "bootstrap-test-nonce";
        var command = batch.ToCommand(nonce);
        var session = await _host.RunAsync(new RemoteCommand([shell, .. command.Argv.Skip(1)]), CancellationToken.None);
        return CommandBatchOutput.Parse(nonce, batch.Commands.Count, session) ?? throw new InvalidOperationException(session.ToString());
    }
}
