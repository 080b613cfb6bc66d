using Bootstrap.Core.Config;

namespace Bootstrap.Core.Tests.Config;

/// <summary>
/// Each file under Config/Malformed is a cluster file with a mistake. Its trailing
/// <c># expect: LINE:COL: PATH: MESSAGE</c> lines are exactly the errors it must produce, in order;
/// nothing else may be reported. <c>{dir}</c> in an expectation stands for the directory of the files
/// (messages about files name them by absolute path).
/// </summary>
public sealed class MalformedClusterFileTests
{
    private const string Marker = "# expect: ";

    private static readonly string Directory = MalformedSamples.Directory;

    private static string[] Expectations(string name) => File.ReadLines(Path.Combine(Directory, name))
        .Where(l => l.StartsWith(Marker, StringComparison.Ordinal))
        .Select(l => l[Marker.Length..].Replace("{dir}", Directory, StringComparison.Ordinal))
        .ToArray();

    public static TheoryData<string> Files()
    {
        var data = new TheoryData<string>();
        foreach (var file in System.IO.Directory.GetFiles(Directory, "*.yaml").Order(StringComparer.Ordinal))
        {
            data.Add(Path.GetFileName(file));
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Files))]
    public void Malformed_file_reports_exactly_its_expected_errors_with_line_column_and_path(string name)
    {
        var path = Path.Combine(Directory, name);
        var expected = Expectations(name).Select(e => name + ":" + e).ToArray();
        Assert.NotEmpty(expected);

        var result = ClusterConfigLoader.Load(File.ReadAllText(path), name, Directory, "/home/tester", checkLocalFiles: true);

        Assert.Null(result.Config);
        Assert.Equal(expected, result.Errors.Select(e => e.ToString()));
        Assert.All(result.Errors, e =>
        {
            Assert.True(e.Line > 0 && e.Column > 0, $"no position: {e}");
            Assert.DoesNotContain(" at Bootstrap.", e.Message, StringComparison.Ordinal);
        });
    }

    [Theory]
    [MemberData(nameof(Files))]
    public void Validate_exits_2_with_exactly_the_expected_errors_of_a_malformed_file(string name)
    {
        var path = Path.Combine(Directory, name);
        var expected = Expectations(name).Select(e => path + ":" + e).ToList();

        var (exitCode, output, error) = Cli.CliRun.Run("validate", "-f", path);

        Assert.Equal(2, exitCode);
        Assert.All(output.Split('\n', StringSplitOptions.RemoveEmptyEntries), l => Assert.Contains(": warning: ", l, StringComparison.Ordinal));
        Assert.Equal([.. expected, $"{path}: {expected.Count} error(s); the cluster file is not valid"], error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    [Fact]
    public void There_are_at_least_25_distinct_malformed_files_with_distinct_messages()
    {
        var files = System.IO.Directory.GetFiles(Directory, "*.yaml");
        var firstExpectations = files
            .Select(f => File.ReadLines(f).First(l => l.StartsWith(Marker, StringComparison.Ordinal)))
            .Distinct(StringComparer.Ordinal)
            .Count();

        Assert.True(files.Length >= 25, $"only {files.Length} malformed files");
        Assert.True(firstExpectations >= 25, $"only {firstExpectations} distinct expected messages");
    }

    [Fact]
    public void A_literal_password_is_rejected_without_echoing_it()
    {
        var path = Path.Combine(Directory, "plaintext-password.yaml");
        Assert.Contains("hunter2", File.ReadAllText(path), StringComparison.Ordinal);

        var result = ClusterConfigLoader.Load(File.ReadAllText(path), "cluster.yaml", Directory, "/home/tester");

        var error = Assert.Single(result.Errors);
        Assert.Equal("spec.ssh.password", error.Path);
        Assert.DoesNotContain("hunter2", error.ToString(), StringComparison.Ordinal);
    }
}
