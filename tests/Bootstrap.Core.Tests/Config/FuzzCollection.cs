namespace Bootstrap.Core.Tests.Config;

/// <summary>Tests that measure the process's memory run alone, after the parallel ones, so others' allocations do not count.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class FuzzCollection
{
    public const string Name = "Fuzz (alone)";
}
