namespace Bootstrap.Core.Phases.Reset;

/// <summary>The flags of <c>bootstrap reset</c>.</summary>
public sealed record ResetOptions
{
    /// <summary><c>--skip-drain</c>: delete the Node without evicting its pods first.</summary>
    public bool SkipDrain { get; init; }

    /// <summary><c>--force</c>: evict pods no controller manages too (they are lost).</summary>
    public bool Force { get; init; }

    /// <summary><c>--all</c>: the whole cluster goes; etcd members are not removed one by one (etcd is torn down whole).</summary>
    public bool All { get; init; }

    /// <summary>How long evictions may take before the drain fails.</summary>
    public TimeSpan DrainTimeout { get; init; } = TimeSpan.FromMinutes(5);
}
