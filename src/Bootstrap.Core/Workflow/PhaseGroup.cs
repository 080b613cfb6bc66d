namespace Bootstrap.Core.Workflow;

/// <summary>A phase that only groups others (kubeadm's <c>certs</c>, <c>control-plane</c>); it runs nothing itself.</summary>
public sealed class PhaseGroup : IPhase
{
    public PhaseGroup(string name, string description, IReadOnlyList<IPhase> children)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(children);
        if (children.Count == 0)
        {
            throw new ArgumentException($"The phase group {name} has no phases.", nameof(children));
        }

        Name = name;
        Description = description;
        Children = children.ToArray();
    }

    public string Name { get; }

    public string Description { get; }

    public IReadOnlyList<IPhase> Children { get; }
}
