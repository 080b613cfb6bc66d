using System.Globalization;
using Bootstrap.Core.Workflow;

namespace Bootstrap.Cli.Workflow;

/// <summary>The text report of a run on standard output: per phase, per host, what happened and every detail line.</summary>
internal static class WorkflowReport
{
    public static void Write(WorkflowResult result, TextWriter output)
    {
        foreach (var phase in result.Phases)
        {
            output.WriteLine($"{phase.Path}: {ConsoleWorkflowObserver.Describe(phase.State)}");
            foreach (var host in phase.Hosts)
            {
                output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"  {host.Host}: {ConsoleWorkflowObserver.Describe(host.Status)} ({host.Duration.TotalSeconds:0.0}s){(host.Error is null ? string.Empty : " - " + host.Error)}"));
                foreach (var detail in host.Details)
                {
                    output.WriteLine("    " + detail);
                }
            }
        }
    }
}
