namespace Bootstrap.Lab.Tests.Lab;

/// <summary>Tests that bring the one lab up and down never run at the same time.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class LabCollection
{
    public const string Name = "lab";
}
