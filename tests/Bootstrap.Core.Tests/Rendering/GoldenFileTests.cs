using System.Runtime.CompilerServices;
using Bootstrap.Core.Rendering;

namespace Bootstrap.Core.Tests.Rendering;

/// <summary>
/// Each template, rendered from the lab cluster file, equals its reviewed golden file byte for byte.
/// After an intended change, regenerate with <c>BOOTSTRAP_UPDATE_GOLDEN=1 dotnet test</c> and review the diff.
/// Comparisons read the copies in the build output; regeneration writes the files in the source tree.
/// </summary>
public sealed class GoldenFileTests
{
    public static TheoryData<string> GoldenNames => new(LabRenderings.All().Keys);

    [Theory]
    [MemberData(nameof(GoldenNames))]
    public void Rendering_equals_its_golden_file(string name)
    {
        var rendered = LabRenderings.All()[name]();
        var path = Path.Combine(GoldenDirectory, name);

        if (Environment.GetEnvironmentVariable("BOOTSTRAP_UPDATE_GOLDEN") == "1")
        {
            File.WriteAllText(Path.Combine(SourceGoldenDirectory(), name), rendered);
            File.WriteAllText(path, rendered);
        }

        Assert.True(File.Exists(path), $"no golden file {path}; run with BOOTSTRAP_UPDATE_GOLDEN=1 and review it");
        Assert.Equal(File.ReadAllText(path), rendered);
    }

    [Fact]
    public void Every_embedded_template_has_a_golden_rendering()
    {
        var templates = new TemplateRenderer().TemplateNames.Select(t => t[..^".sbn".Length]);
        var goldens = LabRenderings.All().Keys.ToArray();

        Assert.All(templates, t => Assert.Contains(goldens, g => g == t || g.EndsWith("-" + t, StringComparison.Ordinal)));
    }

    [Fact]
    public void Every_golden_file_is_rendered_by_a_test() =>
        Assert.Equal(
            LabRenderings.All().Keys.Order(StringComparer.Ordinal),
            Directory.GetFiles(GoldenDirectory).Select(Path.GetFileName).Order(StringComparer.Ordinal));

    private static string GoldenDirectory => Path.Combine(AppContext.BaseDirectory, "Rendering", "Golden");

    private static string SourceGoldenDirectory([CallerFilePath] string thisFile = "") =>
        Path.Combine(Path.GetDirectoryName(thisFile)!, "Golden");
}
