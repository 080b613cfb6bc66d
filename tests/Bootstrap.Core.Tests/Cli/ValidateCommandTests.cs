using System.CommandLine;
using System.Text.Json;
using Bootstrap.Cli;

namespace Bootstrap.Core.Tests.Cli;

/// <summary>Runs <c>bootstrap validate</c> through the real command tree, in process.</summary>
public sealed class ValidateCommandTests
{
    private static readonly string LabFile = LabCluster.File;
    private static readonly string Malformed = Config.MalformedSamples.Directory;

    private static (int ExitCode, string Output, string Error) Run(params string[] args) => CliRun.Run(args);

    [Fact]
    public void Valid_lab_file_exits_0_and_prints_a_summary()
    {
        var (exitCode, output, error) = Run("validate", "-f", LabFile);

        Assert.Equal(ExitCodes.Success, exitCode);
        Assert.Equal(string.Empty, error);
        Assert.Equal(
            $"{LabFile}: OK: cluster \"lab\", Kubernetes v1.20.2, endpoint https://192.168.56.10:6443, 7 hosts (3 control-plane, 2 worker, 2 loadbalancer), etcd stacked with 3 members, load balancer haproxy-keepalived"
                + Environment.NewLine,
            output);
    }

    [Fact]
    public void Invalid_file_exits_2_and_prints_every_error_as_file_line_column_path_message()
    {
        var file = Path.Combine(Malformed, "many-errors-collected.yaml");

        // The file's own `# expect:` lines (which MalformedClusterFileTests holds the loader to), each
        // prefixed with the file, then the count.
        const string Marker = "# expect: ";
        var expected = File.ReadLines(file).Where(l => l.StartsWith(Marker, StringComparison.Ordinal)).Select(l => $"{file}:{l[Marker.Length..]}").ToList();
        Assert.Equal(3, expected.Count);
        expected.Add($"{file}: 3 error(s); the cluster file is not valid");

        var (exitCode, output, error) = Run("validate", "--file", file);

        Assert.Equal(ExitCodes.BadInput, exitCode);
        Assert.Equal($"{file}:26:14: warning: spec.hosts[1].roles: cp1 is the only control-plane host, so the load balancer has one kube-apiserver behind it and the cluster is not highly available (losing that host stops the API); add control-plane hosts, 3 with stacked etcd\n", output);
        Assert.Equal(expected, error.Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries));
    }

    [Fact]
    public void Missing_file_exits_2_with_one_line_and_no_stack_trace()
    {
        var (exitCode, _, error) = Run("validate", "-f", "/nonexistent/cluster.yaml");

        Assert.Equal(ExitCodes.BadInput, exitCode);
        Assert.StartsWith("/nonexistent/cluster.yaml: cannot read the cluster file: no such file", error, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", error, StringComparison.Ordinal);
    }

    [Fact]
    public void An_empty_path_is_shown_as_two_quotes_in_every_line()
    {
        var (exitCode, _, error) = Run("validate", "-f", "");

        Assert.Equal(ExitCodes.BadInput, exitCode);
        Assert.Equal(
            "\"\": cannot read the cluster file: the path is empty; give a cluster file, or - for standard input\n"
                + "\"\": 1 error(s); the cluster file is not valid\n",
            error.ReplaceLineEndings("\n"));
    }

    [Fact]
    public void Syntax_error_exits_2_with_its_position()
    {
        var file = Path.Combine(Malformed, "syntax-tab-indentation.yaml");

        var (exitCode, _, error) = Run("validate", "-f", file);

        Assert.Equal(ExitCodes.BadInput, exitCode);
        Assert.StartsWith($"{file}:10:1: invalid YAML: ", error, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Json_output_of_a_valid_file_describes_the_cluster()
    {
        var (exitCode, output, _) = Run("validate", "-f", LabFile, "--output", "json");

        Assert.Equal(ExitCodes.Success, exitCode);
        using var document = JsonDocument.Parse(output);
        var root = document.RootElement;
        Assert.True(root.GetProperty("valid").GetBoolean());
        Assert.Equal(0, root.GetProperty("errors").GetArrayLength());
        Assert.Equal(0, root.GetProperty("warnings").GetArrayLength());
        var cluster = root.GetProperty("cluster");
        Assert.Equal("lab", cluster.GetProperty("name").GetString());
        Assert.Equal("https://192.168.56.10:6443", cluster.GetProperty("endpoint").GetString());
        Assert.Equal(7, cluster.GetProperty("hosts").GetArrayLength());
        Assert.Equal(["cp1", "cp2", "cp3"], cluster.GetProperty("etcdMembers").EnumerateArray().Select(e => e.GetString()));
    }

    [Fact]
    public void Json_output_of_an_invalid_file_lists_structured_errors_and_exits_2()
    {
        var file = Path.Combine(Malformed, "vip-outside-subnet.yaml");

        var (exitCode, output, _) = Run("validate", "-f", file, "-o", "json");

        Assert.Equal(ExitCodes.BadInput, exitCode);
        using var document = JsonDocument.Parse(output);
        var root = document.RootElement;
        Assert.False(root.GetProperty("valid").GetBoolean());
        Assert.False(root.TryGetProperty("cluster", out _));
        var error = Assert.Single(root.GetProperty("errors").EnumerateArray().ToArray());
        Assert.Equal(14, error.GetProperty("line").GetInt32());
        Assert.Equal(16, error.GetProperty("column").GetInt32());
        Assert.Equal("spec.loadBalancer.virtualIP", error.GetProperty("path").GetString());
        Assert.Equal("virtual IP 10.0.1.10 is outside spec.networking.hostSubnet 10.0.0.0/24; expected an unused address in it", error.GetProperty("message").GetString());
    }

    [Fact]
    public void Warnings_are_printed_but_the_file_is_valid()
    {
        var directory = Directory.CreateTempSubdirectory("bootstrap-validate-");
        try
        {
            var file = Path.Combine(directory.FullName, "cluster.yaml");
            File.WriteAllText(file, File.ReadAllText(LabFile).Replace(
                "    - name: cp3\n      address: 192.168.56.23\n      roles: [control-plane]\n", string.Empty, StringComparison.Ordinal));

            var (exitCode, output, error) = Run("validate", "-f", file);

            Assert.Equal(ExitCodes.Success, exitCode);
            Assert.Equal(string.Empty, error);
            Assert.Contains(": warning: spec.hosts: etcd would have 2 members, which tolerate 0 failures (a quorum is 2 members), the same as 1 member; an odd count such as 3 is recommended", output, StringComparison.Ordinal);
            Assert.Contains("OK: cluster \"lab\"", output, StringComparison.Ordinal);
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }
}
