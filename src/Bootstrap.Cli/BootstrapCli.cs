using System.CommandLine;
using System.CommandLine.Invocation;
using System.Reflection;
using Bootstrap.Core.Workflow;

namespace Bootstrap.Cli;

/// <summary>Builds the command tree. Commands parse, call Core and print; nothing else.</summary>
internal static class BootstrapCli
{
    /// <param name="connector">How hosts are reached; SSH when null (tests pass fakes).</param>
    /// <param name="input">What <c>-f -</c> reads; the process's standard input when null.</param>
    public static RootCommand Build(IHostConnector? connector = null, TextReader? input = null)
    {
        var files = input is null ? ClusterFileInput.FromConsole() : new ClusterFileInput(input);
        var root = new RootCommand("Bootstrap: turns plain Linux machines into a highly available Kubernetes cluster over SSH.");
        var version = new Command("version", "Print the version of bootstrap.");
        version.SetAction(parse =>
        {
            parse.InvocationConfiguration.Output.WriteLine(Version);
            return 0;
        });
        root.Subcommands.Add(version);
        root.Subcommands.Add(Commands.ValidateCommand.Create(files));
        root.Subcommands.Add(Commands.CertsCommand.Create(TimeProvider.System, files));
        root.Subcommands.Add(Commands.PreflightCommand.Create(files, connector));
        root.Subcommands.Add(Commands.PlanCommand.Create(files, connector));
        root.Subcommands.Add(Commands.InitCommand.Create(files, connector));
        root.Subcommands.Add(Commands.JoinCommand.Create(files, connector));
        root.Subcommands.Add(Commands.TokenCommand.Create(TimeProvider.System, files));
        root.Subcommands.Add(Commands.StateCommand.Create(files, connector));
        root.Subcommands.Add(Commands.SecretsCommand.Create(files, connector));
        root.Subcommands.Add(Commands.ResetCommand.Create(files, connector));
        root.Subcommands.Add(Commands.UpgradeCommand.Create(files, connector));
        root.Subcommands.Add(Commands.EtcdCommand.Create(files, connector, terminal: input is null && !Console.IsInputRedirected, answers: input ?? Console.In));
        return root;
    }

    /// <summary>
    /// Parses and runs. A command line that does not parse (unknown command or flag, missing -f, no
    /// subcommand) gets one line saying why, a "did you mean" when one is close, and a pointer to --help;
    /// exit 2, not System.CommandLine's 1. Ctrl-C is handled by the commands that run phases, so they can
    /// report what they left in which state.
    /// </summary>
    public static async Task<int> RunAsync(string[] args, InvocationConfiguration? configuration = null, IHostConnector? connector = null, TextReader? input = null)
    {
        configuration ??= new InvocationConfiguration { ProcessTerminationTimeout = null };
        var parse = Build(connector, input).Parse(args);
        if (parse.Action is ParseErrorAction)
        {
            UsageErrors.Write(parse, configuration.Error);
            return ExitCodes.BadInput;
        }

        return await parse.InvokeAsync(configuration).ConfigureAwait(false);
    }

    private static string Version =>
        typeof(BootstrapCli).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0.0.0";
}
