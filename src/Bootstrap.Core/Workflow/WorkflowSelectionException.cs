namespace Bootstrap.Core.Workflow;

/// <summary>The phases asked for (<c>init phase X</c>, <c>--skip-phases</c>) are not in the tree. Bad input: nothing ran.</summary>
public sealed class WorkflowSelectionException : Exception
{
    public WorkflowSelectionException(IReadOnlyList<string> problems)
        : base(string.Join("; ", problems))
    {
        Problems = problems;
    }

    public IReadOnlyList<string> Problems { get; }
}
