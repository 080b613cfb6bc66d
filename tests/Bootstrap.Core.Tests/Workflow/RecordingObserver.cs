using Bootstrap.Core.Workflow;

namespace Bootstrap.Core.Tests.Workflow;

internal sealed class RecordingObserver : IWorkflowObserver
{
    private readonly List<WorkflowEvent> _events = [];

    public IReadOnlyList<WorkflowEvent> Events
    {
        get
        {
            lock (_events)
            {
                return _events.ToList();
            }
        }
    }

    public void OnEvent(WorkflowEvent workflowEvent)
    {
        lock (_events)
        {
            _events.Add(workflowEvent);
        }
    }
}
