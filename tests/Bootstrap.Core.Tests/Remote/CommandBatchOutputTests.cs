using Bootstrap.Core.Remote;

namespace Bootstrap.Core.Tests.Remote;

public sealed class CommandBatchOutputTests
{
    private const string Nonce = "bootstrap-0123456789abcdef0123456789abcdef";

    /// <summary>
    /// Captured from dash running templates/command-batch.sh.sbn with <c>printf 'a\nb'</c>,
    /// <c>sh -c 'echo x >&amp;2; exit 2'</c> and <c>printf ''</c>.
    /// </summary>
    private static readonly CommandResult Captured = new(
        0,
        $"{Nonce} begin 0\na\nb\n{Nonce} end 0 0\n{Nonce} begin 1\n\n{Nonce} end 1 2\n{Nonce} begin 2\n\n{Nonce} end 2 0\n{Nonce} done 3\n",
        $"{Nonce} begin 0\n\n{Nonce} end 0 0\n{Nonce} begin 1\nx\n\n{Nonce} end 1 2\n{Nonce} begin 2\n\n{Nonce} end 2 0\n{Nonce} done 3\n");

    [Theory]
    [InlineData("", null)]
    [InlineData("sudo: a warning\n", null)]
    [InlineData("{0} begin 0\nzzzz", 0)]
    [InlineData("noise\n{0} begin 0\n\n{0} end 0 0\n{0} begin 1\n\0\0\0", 1)]
    [InlineData("{0} begin 0\n\n{0} end 0 0\n{0} begin 12\n", 12)]
    [InlineData("{0} begin 0\n\n{0} end 0 0\n{0} begin 1", null)]
    [InlineData("other-nonce begin 3\n", null)]
    public void The_command_running_when_a_stream_was_cut_short_is_the_last_whose_frame_began(string partial, int? expected)
    {
        var bytes = System.Text.Encoding.UTF8.GetBytes(string.Format(System.Globalization.CultureInfo.InvariantCulture, partial, Nonce));

        Assert.Equal(expected, CommandBatchOutput.LastBegun(Nonce, bytes));
    }

    [Fact]
    public void A_captured_session_gives_each_command_its_output_and_status()
    {
        var results = CommandBatchOutput.Parse(Nonce, 3, Captured);

        Assert.Equal(
            [new CommandResult(0, "a\nb", string.Empty), new CommandResult(2, string.Empty, "x\n"), new CommandResult(0, string.Empty, string.Empty)],
            results);
    }

    [Fact]
    public void Every_cut_of_either_stream_is_an_error_never_a_result()
    {
        for (var length = 0; length < Captured.Stdout.Length; length++)
        {
            var cut = Captured with { Stdout = Captured.Stdout[..length] };
            Assert.Throws<FormatException>(() => CommandBatchOutput.Parse(Nonce, 3, cut));
        }

        for (var length = 0; length < Captured.Stderr.Length; length++)
        {
            var cut = Captured with { Stderr = Captured.Stderr[..length] };
            Assert.Throws<FormatException>(() => CommandBatchOutput.Parse(Nonce, 3, cut));
        }
    }

    [Fact]
    public void What_comes_before_the_first_frame_line_belongs_to_no_command()
    {
        var session = Captured with
        {
            Stdout = "a login script's greeting\n" + Captured.Stdout,
            Stderr = "sudo: unable to resolve host cp1: Name or service not known\n" + Captured.Stderr,
        };

        Assert.Equal(CommandBatchOutput.Parse(Nonce, 3, Captured), CommandBatchOutput.Parse(Nonce, 3, session));
    }

    [Fact]
    public void A_script_that_never_started_is_no_result_and_no_error()
    {
        Assert.Null(CommandBatchOutput.Parse(Nonce, 3, new CommandResult(1, string.Empty, "sudo: a password is required\n")));
    }

    [Fact]
    public void Frames_of_another_nonce_are_not_this_run_s()
    {
        var other = Captured with
        {
            Stdout = Captured.Stdout.Replace(Nonce, "bootstrap-ffff", StringComparison.Ordinal),
            Stderr = Captured.Stderr.Replace(Nonce, "bootstrap-ffff", StringComparison.Ordinal),
        };

        var error = Assert.Throws<FormatException>(() => CommandBatchOutput.Parse(Nonce, 3, other));
        Assert.Equal("the script printed none of its frame lines on its standard output", error.Message);
    }

    [Theory]
    [InlineData("end 1 2\n", "end 1 3\n", "command 1 ended with status 2 on standard output but 3 on standard error")]
    [InlineData("end 1 2\n", "end 1 x\n", "the standard error has no exit status for command 1")]
    [InlineData("end 1 2\n", "end 1 256\n", "the standard error has no exit status for command 1")]
    [InlineData("begin 2\n", "begin 3\n", "the standard error lacks the start of command 2 where expected")]
    [InlineData("done 3\n", "done 4\n", "the standard error lacks the end of the script after command 2")]
    [InlineData("done 3\n", "done 3\nmore\n", "the standard error goes on after the end of the script")]
    public void A_frame_line_out_of_place_is_an_error_saying_where(string frame, string replacement, string message)
    {
        var session = Captured with { Stderr = Captured.Stderr.Replace(frame, replacement, StringComparison.Ordinal) };

        var error = Assert.Throws<FormatException>(() => CommandBatchOutput.Parse(Nonce, 3, session));
        Assert.Equal(message, error.Message);
    }

    [Fact]
    public void A_session_that_fails_after_its_last_command_is_an_error()
    {
        var error = Assert.Throws<FormatException>(() => CommandBatchOutput.Parse(Nonce, 3, Captured with { ExitCode = 137 }));
        Assert.Equal("the session exited 137 after the script's last command", error.Message);
    }

    [Fact]
    public void Fewer_commands_than_asked_for_is_an_error()
    {
        var error = Assert.Throws<FormatException>(() => CommandBatchOutput.Parse(Nonce, 4, Captured));
        Assert.Equal("the standard output lacks the start of command 3 where expected", error.Message);
    }
}
