namespace Bootstrap.Core.Workflow;

/// <summary>Receives the events of a run as they happen. Called from several hosts' tasks at once: implementations must be thread-safe.</summary>
public interface IWorkflowObserver
{
    void OnEvent(WorkflowEvent workflowEvent);
}
