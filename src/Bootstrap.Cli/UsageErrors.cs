using System.CommandLine;
using System.CommandLine.Parsing;
using Bootstrap.Core.Config;
using Bootstrap.Core.Config.Parsing;

namespace Bootstrap.Cli;

/// <summary>
/// A command line that does not parse: one line saying what is wrong (with "did you mean" for a mistyped
/// command or option) and a pointer to <c>--help</c>, instead of the whole help text. Exit code 2.
/// </summary>
internal static class UsageErrors
{
    public static void Write(ParseResult parse, TextWriter error)
    {
        ArgumentNullException.ThrowIfNull(parse);
        ArgumentNullException.ThrowIfNull(error);
        var command = parse.CommandResult.Command;
        var name = CommandLine(parse.CommandResult);
        var subcommands = command.Subcommands.Where(c => !c.Hidden).Select(c => c.Name).ToArray();
        if (parse.UnmatchedTokens.Count > 0)
        {
            // Later unmatched tokens are usually the first one's arguments (`valdate -f x`): report the first only.
            var token = parse.UnmatchedTokens[0];
            if (token.Length > 1 && token[0] == '-')
            {
                var option = token.Split('=', 2)[0];
                error.WriteLine($"{name}: unknown option {InputQuote.Quote(option)}{Suggestions.DidYouMean(option, OptionNames(parse.CommandResult))}");
            }
            else if (subcommands.Length > 0)
            {
                error.WriteLine($"{name}: unknown command {InputQuote.Quote(token)}{Suggestions.DidYouMean(token, subcommands)}");
            }
            else
            {
                error.WriteLine($"{name}: unexpected argument {InputQuote.Quote(token)}");
            }
        }
        else if (subcommands.Length > 0 && command.Action is null)
        {
            error.WriteLine($"{name}: name a command: {string.Join(", ", subcommands)}");
        }
        else
        {
            foreach (var problem in parse.Errors)
            {
                // A bad value is said with its option; System.CommandLine lists allowed values on lines of their own.
                var option = problem.SymbolResult switch
                {
                    OptionResult { Option: var o } when !problem.Message.Contains(o.Name, StringComparison.Ordinal) => o.Name + ": ",
                    ArgumentResult { Parent: OptionResult { Option: var o } } when !problem.Message.Contains(o.Name, StringComparison.Ordinal) => o.Name + ": ",
                    _ => string.Empty,
                };
                error.WriteLine($"{name}: {option}{string.Join(' ', problem.Message.Split(['\n', '\r', '\t'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))}");
            }
        }

        error.WriteLine($"Run '{name} --help' for {(subcommands.Length > 0 ? "its commands and options" : "its options")}.");
    }

    /// <summary>"bootstrap certs renew": the words of the command that was parsed, whatever the executable is called.</summary>
    private static string CommandLine(CommandResult result)
    {
        var words = new List<string>();
        for (SymbolResult? current = result; current is not null; current = current.Parent)
        {
            if (current is CommandResult { Command: var command })
            {
                words.Insert(0, command is RootCommand ? "bootstrap" : command.Name);
            }
        }

        return string.Join(' ', words);
    }

    /// <summary>Names and aliases of the options the command accepts: its own and the recursive ones of its parents (--help).</summary>
    private static IEnumerable<string> OptionNames(CommandResult result)
    {
        var own = true;
        for (SymbolResult? current = result; current is not null; current = current.Parent)
        {
            if (current is CommandResult { Command: var command })
            {
                foreach (var option in command.Options.Where(o => !o.Hidden && (own || o.Recursive)))
                {
                    yield return option.Name;
                    foreach (var alias in option.Aliases)
                    {
                        yield return alias;
                    }
                }

                own = false;
            }
        }
    }
}
