using System.CommandLine;
using Bootstrap.Cli;
using Bootstrap.Core.Workflow;

namespace Bootstrap.Core.Tests.Cli;

/// <summary>Runs the real `bootstrap` entry point (parse errors included) in process, capturing what it prints.</summary>
internal static class CliRun
{
    public static (int ExitCode, string Output, string Error) Run(params string[] args) => RunAsync(args).GetAwaiter().GetResult();

    public static Task<(int ExitCode, string Output, string Error)> RunAsync(params string[] args) =>
        Capture(configuration => BootstrapCli.RunAsync(args, configuration));

    /// <summary>As <see cref="RunAsync(string[])"/>, with hosts reached through <paramref name="connector"/> instead of SSH.</summary>
    public static Task<(int ExitCode, string Output, string Error)> RunAsync(IHostConnector connector, params string[] args) =>
        Capture(configuration => BootstrapCli.RunAsync(args, configuration, connector));

    /// <summary>As <see cref="RunAsync(string[])"/>, with <paramref name="standardInput"/> as what <c>-f -</c> reads (and hosts from <paramref name="connector"/>).</summary>
    public static Task<(int ExitCode, string Output, string Error)> RunWithInputAsync(string standardInput, IHostConnector? connector, params string[] args) =>
        Capture(configuration => BootstrapCli.RunAsync(args, configuration, connector, new StringReader(standardInput)));

    private static async Task<(int ExitCode, string Output, string Error)> Capture(Func<InvocationConfiguration, Task<int>> invoke)
    {
        using var output = new StringWriter { NewLine = "\n" };
        using var error = new StringWriter { NewLine = "\n" };
        var exitCode = await invoke(new InvocationConfiguration { Output = output, Error = error });
        return (exitCode, output.ToString(), error.ToString());
    }
}
