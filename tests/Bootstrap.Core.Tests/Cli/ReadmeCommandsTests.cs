using System.Text.RegularExpressions;
using Bootstrap.Cli;

namespace Bootstrap.Core.Tests.Cli;

/// <summary>Every `bootstrap …` command line the README shows is one the CLI really accepts.</summary>
public sealed partial class ReadmeCommandsTests
{
    private static readonly string Readme = Path.Combine(AppContext.BaseDirectory, "README.md");

    public static TheoryData<string> ReadmeCommandLines()
    {
        var data = new TheoryData<string>();
        foreach (var line in File.ReadLines(Readme))
        {
            foreach (Match match in CommandLine().Matches(line))
            {
                data.Add(match.Groups["command"].Value.Trim());
            }
        }

        return data;
    }

    [Fact]
    public void The_README_shows_bootstrap_command_lines()
    {
        Assert.NotEmpty(ReadmeCommandLines());
    }

    [Theory]
    [MemberData(nameof(ReadmeCommandLines))]
    public void README_command_line_parses_without_unknown_verbs_or_flags(string commandLine)
    {
        Assert.Empty(ParseErrors(commandLine));
    }

    [Theory]
    [InlineData("bootstrap frobnicate -f cluster.yaml")]
    [InlineData("bootstrap validate -f cluster.yaml --no-such-flag")]
    public void An_unknown_verb_or_flag_is_caught(string commandLine)
    {
        Assert.NotEmpty(ParseErrors(commandLine));
    }

    private static IReadOnlyList<string> ParseErrors(string commandLine)
    {
        var args = commandLine.Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1).ToArray();
        return BootstrapCli.Build().Parse(args).Errors.Select(e => e.Message).ToList();
    }

    // `bootstrap …` at the start of an indented code line, after a shell prompt, or in backticks;
    // a trailing comment is not part of the command.
    [GeneratedRegex(@"(?:^\s{4,}(?:\$\s*)?|`)(?<command>bootstrap [^`#]+)(?:`|#|$)")]
    private static partial Regex CommandLine();
}
