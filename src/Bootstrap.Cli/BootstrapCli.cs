using System.CommandLine;
using System.CommandLine.Invocation;
using System.Reflection;
using Bootstrap.Core.Workflow;

namespace Bootstrap.Cli;

/// <summary>Builds the command tree. Commands parse, call Core and print; nothing else.</summary>
internal static class BootstrapCli
{
    public static RootCommand Build(IHostConnector? connector = null)
    {
        var root = new RootCommand("Bootstrap: turns plain Linux machines into a highly available Kubernetes cluster over SSH.");
        var version = new Command("version", "Print the version of bootstrap.");
        version.SetAction(parse =>
        {
            parse.InvocationConfiguration.Output.WriteLine(Version);
            return 0;
        });
        root.Subcommands.Add(version);
        root.Subcommands.Add(Commands.ValidateCommand.Create());
        root.Subcommands.Add(Commands.CertsCommand.Create(TimeProvider.System));
        root.Subcommands.Add(Commands.PreflightCommand.Create(connector));
        root.Subcommands.Add(Commands.PlanCommand.Create(connector));
        root.Subcommands.Add(Commands.InitCommand.Create(connector));
        root.Subcommands.Add(Commands.JoinCommand.Create(connector));
        root.Subcommands.Add(Commands.TokenCommand.Create(TimeProvider.System));
        root.Subcommands.Add(Commands.StateCommand.Create(connector));
        root.Subcommands.Add(Commands.SecretsCommand.Create(connector));
        return root;
    }

    /// <summary>
    /// Parses and runs. Usage errors (unknown flag, missing -f, no subcommand) print the error and
    /// help and exit 2, not System.CommandLine's 1. Ctrl-C is handled by the commands that run phases,
    /// so they can report what they left in which state.
    /// </summary>
    public static async Task<int> RunAsync(string[] args, InvocationConfiguration? configuration = null, IHostConnector? connector = null)
    {
        var parse = Build(connector).Parse(args);
        var exitCode = await parse.InvokeAsync(configuration ?? new InvocationConfiguration { ProcessTerminationTimeout = null }).ConfigureAwait(false);
        return parse.Action is ParseErrorAction ? ExitCodes.BadInput : exitCode;
    }

    private static string Version =>
        typeof(BootstrapCli).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0.0.0";
}
