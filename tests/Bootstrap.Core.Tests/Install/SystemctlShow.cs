namespace Bootstrap.Core.Tests.Install;

/// <summary>What <c>systemctl show -p … U1 U2 …</c> prints, for fakes: each unit's block (its Id first), blocks separated by a blank line.</summary>
internal static class SystemctlShow
{
    /// <summary>The units a <c>systemctl show</c> argv asks about: its arguments after the last <c>-p NAME</c>.</summary>
    public static IReadOnlyList<string> Units(IReadOnlyList<string> argv)
    {
        ArgumentNullException.ThrowIfNull(argv);
        var last = argv.ToList().LastIndexOf("-p");
        return [.. argv.Skip(last < 0 ? 2 : last + 2)];
    }

    /// <summary>The output for <paramref name="argv"/>, with <paramref name="properties"/> giving each unit's <c>Key=Value</c> lines.</summary>
    public static string Print(IReadOnlyList<string> argv, Func<string, string> properties)
    {
        ArgumentNullException.ThrowIfNull(properties);
        return string.Join("\n", Units(argv).Select(unit => $"Id={unit}\n{properties(unit)}"));
    }
}
