using System.CommandLine;
using Bootstrap.Cli;
using Bootstrap.Core.Workflow;

namespace Bootstrap.Core.Tests.Cli;

/// <summary>Runs the real `bootstrap` command tree in process, capturing what it prints.</summary>
internal static class CliRun
{
    public static (int ExitCode, string Output, string Error) Run(params string[] args) =>
        Capture(configuration => Task.FromResult(BootstrapCli.Build().Parse(args).Invoke(configuration))).GetAwaiter().GetResult();

    public static Task<(int ExitCode, string Output, string Error)> RunAsync(params string[] args) =>
        Capture(configuration => BootstrapCli.Build().Parse(args).InvokeAsync(configuration));

    /// <summary>As <see cref="RunAsync(string[])"/>, with hosts reached through <paramref name="connector"/> instead of SSH.</summary>
    public static Task<(int ExitCode, string Output, string Error)> RunAsync(IHostConnector connector, params string[] args) =>
        Capture(configuration => BootstrapCli.RunAsync(args, configuration, connector));

    private static async Task<(int ExitCode, string Output, string Error)> Capture(Func<InvocationConfiguration, Task<int>> invoke)
    {
        using var output = new StringWriter { NewLine = "\n" };
        using var error = new StringWriter { NewLine = "\n" };
        var exitCode = await invoke(new InvocationConfiguration { Output = output, Error = error });
        return (exitCode, output.ToString(), error.ToString());
    }
}
