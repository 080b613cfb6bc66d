using System.Globalization;
using Bootstrap.Core.Workflow;

namespace Bootstrap.Cli.Workflow;

/// <summary>The text report of a run on standard output: per phase, per host, what happened and every detail line.</summary>
internal static class WorkflowReport
{
    /// <param name="dryRun">A plan: hosts that would change say so, and a last line says nothing was changed.</param>
    /// <param name="applyCommand">The command that makes a plan's changes.</param>
    public static void Write(WorkflowResult result, TextWriter output, bool dryRun = false, string applyCommand = "bootstrap init")
    {
        foreach (var phase in result.Phases)
        {
            output.WriteLine($"{phase.Path}: {ConsoleWorkflowObserver.Describe(phase.State)}");
            foreach (var host in phase.Hosts)
            {
                output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"  {host.Host}: {(dryRun && host.Status == HostPhaseStatus.Changed ? "would change" : ConsoleWorkflowObserver.Describe(host.Status))} ({host.Duration.TotalSeconds:0.0}s){(host.Error is null ? string.Empty : " - " + host.Error)}"));
                foreach (var detail in host.Details)
                {
                    output.WriteLine("    " + detail);
                }
            }
        }

        if (dryRun)
        {
            output.WriteLine($"plan: nothing was changed on any host or in the cluster state; `{applyCommand}` makes the changes above.");
        }
    }
}
