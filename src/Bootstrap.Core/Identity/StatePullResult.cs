namespace Bootstrap.Core.Identity;

/// <summary>What <c>state pull</c> wrote (paths relative to the state directory) and what it could not take.</summary>
internal sealed record StatePullResult(IReadOnlyList<string> Written, IReadOnlyList<string> Notes);
