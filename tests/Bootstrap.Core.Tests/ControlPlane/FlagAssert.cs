namespace Bootstrap.Core.Tests.ControlPlane;

internal static class FlagAssert
{
    /// <summary>The value of <c>--name=</c> in <paramref name="args"/>, asserting it occurs exactly once.</summary>
    public static string Value(IReadOnlyList<string> args, string name) =>
        Assert.Single(args, a => a.StartsWith($"--{name}=", StringComparison.Ordinal))[(name.Length + 3)..];

    public static void Absent(IReadOnlyList<string> args, string name) =>
        Assert.DoesNotContain(args, a => a.StartsWith($"--{name}=", StringComparison.Ordinal));

    public static void SortedByName(IReadOnlyList<string> args) =>
        Assert.Equal(args.OrderBy(a => a.Split('=')[0], StringComparer.Ordinal), args);
}
