using Bootstrap.Core.Workflow;

namespace Bootstrap.Cli.Workflow;

/// <summary>Passes every event to each observer in turn.</summary>
internal sealed class FanOutObserver(IReadOnlyList<IWorkflowObserver> observers) : IWorkflowObserver
{
    public void OnEvent(WorkflowEvent workflowEvent)
    {
        foreach (var observer in observers)
        {
            observer.OnEvent(workflowEvent);
        }
    }
}
