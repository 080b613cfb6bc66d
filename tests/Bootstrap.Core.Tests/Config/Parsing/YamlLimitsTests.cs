using System.Diagnostics;
using System.Globalization;
using System.Text;
using Bootstrap.Core.Config;
using Bootstrap.Core.Config.Parsing;

namespace Bootstrap.Core.Tests.Config.Parsing;

/// <summary>Depth and node bounds, checked on the event stream before the representation model is built.</summary>
public sealed class YamlLimitsTests
{
    private static readonly string Lab = File.ReadAllText(LabCluster.ExampleFile);

    private static ClusterConfigLoadResult Load(string yaml) => ClusterConfigLoader.Load(yaml, "cluster.yaml", "/work/clusters", "/home/tester");

    private static string WithPatch(string patch) =>
        Lab.Replace("  stateDirectory:", "  kubelet:\n    configPatch:\n" + patch + "  stateDirectory:", StringComparison.Ordinal);

    [Fact]
    public void Lists_nested_tens_of_thousands_deep_are_one_error_not_a_stack_overflow()
    {
        var yaml = Lab + "x: " + new string('[', 50_000) + new string(']', 50_000) + "\n";

        var error = Assert.Single(Load(yaml).Errors);

        // The document's mapping is level 1, x's list level 2, so the 64th [ opens level 65.
        Assert.Equal(71, error.Line);
        Assert.Equal(4 + 63, error.Column);
        Assert.EndsWith($"the YAML nests deeper than {YamlLimits.MaxDepth} levels of mappings and lists; expected a cluster file (its deepest field is 6 levels down)", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Nesting_up_to_the_bound_is_read_and_one_more_level_is_refused()
    {
        // The document's mapping is level 1, so n brackets under a top-level key reach level 1 + n.
        static string Nested(int levels) => Lab + "x: " + new string('[', levels) + new string(']', levels) + "\n";
        var atBound = Load(Nested(YamlLimits.MaxDepth - 1));
        var past = Load(Nested(YamlLimits.MaxDepth));

        Assert.Equal(["x: unknown field \"x\" (allowed: apiVersion, kind, metadata, spec)"], atBound.Errors.Select(e => e.Path + ": " + e.Message));
        Assert.Contains("nests deeper than 64", Assert.Single(past.Errors).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_mapping_1000_deep_in_the_kubelet_patch_is_an_error_with_position_through_validate()
    {
        var patch = new StringBuilder();
        for (var i = 0; i < 1000; i++)
        {
            patch.Append(' ', 6 + (2 * i)).Append(CultureInfo.InvariantCulture, $"a{i}:\n");
        }

        using var directory = new Pki.TemporaryDirectory();
        var file = directory.Combine("cluster.yaml");
        File.WriteAllText(file, File.ReadAllText(LabCluster.File).Replace("  stateDirectory:", "  kubelet:\n    configPatch:\n" + patch + "  stateDirectory:", StringComparison.Ordinal));

        var (exitCode, _, error) = Cli.CliRun.Run("validate", "-f", file);

        Assert.Equal(2, exitCode);
        Assert.StartsWith($"{file}:133:129: spec.kubelet.configPatch.a0.a1.", error, StringComparison.Ordinal);
        Assert.Contains(": the YAML nests deeper than 64 levels", error, StringComparison.Ordinal);
        Assert.DoesNotContain("internal error", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Kubelet_patch_nesting_has_its_own_tighter_bound()
    {
        var deep = string.Concat(Enumerable.Repeat("{a: ", KubeletPatchReader.MaxDepth)) + "1" + new string('}', KubeletPatchReader.MaxDepth);
        var justFits = string.Concat(Enumerable.Repeat("{a: ", KubeletPatchReader.MaxDepth - 1)) + "1" + new string('}', KubeletPatchReader.MaxDepth - 1);

        var error = Assert.Single(Load(WithPatch("      authentication: " + deep + "\n")).Errors);
        Assert.Empty(Load(WithPatch("      authentication: " + justFits + "\n")).Errors);

        Assert.Equal("spec.kubelet.configPatch.authentication.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a", error.Path);
        Assert.Equal($"configPatch nests deeper than {KubeletPatchReader.MaxDepth} levels of mappings and lists; expected KubeletConfiguration fields (the deepest is 4 levels down)", error.Message);
    }

    [Theory]
    [InlineData(7)]
    [InlineData(9)]
    public void An_alias_bomb_is_refused_at_the_alias_that_crosses_the_bound_quickly_and_in_little_memory(int levels)
    {
        var bomb = new StringBuilder("      x0: &x0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
        for (var i = 1; i < levels; i++)
        {
            bomb.Append(CultureInfo.InvariantCulture, $"      x{i}: &x{i} [{string.Join(", ", Enumerable.Repeat($"*x{i - 1}", 10))}]\n");
        }

        var allocated = GC.GetAllocatedBytesForCurrentThread();
        var clock = Stopwatch.StartNew();
        var error = Assert.Single(Load(WithPatch(bomb.ToString())).Errors);
        clock.Stop();
        allocated = GC.GetAllocatedBytesForCurrentThread() - allocated;

        Assert.Equal(76, error.Line);
        Assert.Equal("spec.kubelet.configPatch.x4[7]", error.Path);
        Assert.Equal($"alias *x3 stands for 11111 nodes, which takes the file past {YamlLimits.MaxNodes} nodes with aliases expanded; expected a cluster file (is this an alias bomb?)", error.Message);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"took {clock.Elapsed}");
        Assert.True(allocated < 64L * 1024 * 1024, $"allocated {allocated} bytes");
    }

    [Fact]
    public void Aliases_within_the_bound_are_expanded_as_before()
    {
        var config = Load(WithPatch("      evictionHard: &hard {memory.available: 200Mi}\n      evictionSoft: *hard\n")).Config!;

        Assert.Equal("200Mi", config.Kubelet.ConfigPatch!.Value.GetProperty("evictionSoft").GetProperty("memory.available").GetString());
    }

    [Fact]
    public void More_nodes_than_the_bound_are_refused_where_the_bound_is_crossed()
    {
        var yaml = Lab + "x: [" + string.Join(",", Enumerable.Repeat("0", YamlLimits.MaxNodes)) + "]\n";

        var error = Assert.Single(Load(yaml).Errors);

        Assert.Equal(71, error.Line);
        Assert.StartsWith("x[", error.Path, StringComparison.Ordinal);
        Assert.Equal($"the file has more than {YamlLimits.MaxNodes} YAML nodes (scalars, mappings and lists); expected a cluster file", error.Message);
    }
}
