using System.CommandLine;
using System.Reflection;

namespace Bootstrap.Cli;

/// <summary>Builds the command tree. Commands parse, call Core and print; nothing else.</summary>
internal static class BootstrapCli
{
    public static RootCommand Build()
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
        return root;
    }

    public static Task<int> RunAsync(string[] args) => Build().Parse(args).InvokeAsync();

    private static string Version =>
        typeof(BootstrapCli).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0.0.0";
}
