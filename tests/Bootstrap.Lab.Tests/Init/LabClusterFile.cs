using Bootstrap.Lab.Tests.Lab;

namespace Bootstrap.Lab.Tests.Init;

/// <summary>examples/lab-cluster.yaml with its state directory moved into a temp directory the test owns (and other edits).</summary>
internal sealed class LabClusterFile : IDisposable
{
    private LabClusterFile(string directory, string path)
    {
        Directory = directory;
        Path = path;
    }

    public string Directory { get; }

    public string Path { get; }

    public string State => System.IO.Path.Combine(Directory, "state");

    public string AdminKubeconfig => System.IO.Path.Combine(State, "admin.conf");

    public static LabClusterFile Create()
    {
        var directory = System.IO.Directory.CreateTempSubdirectory("bootstrap-init-lab-").FullName;
        var file = new LabClusterFile(directory, System.IO.Path.Combine(directory, "cluster.yaml"));
        file.Write(text => text);
        return file;
    }

    /// <summary>A sibling file: the example with <paramref name="edit"/> applied (and the same state directory).</summary>
    public string Variant(string name, Func<string, string> edit)
    {
        var path = System.IO.Path.Combine(Directory, name);
        File.WriteAllText(path, Edit(edit));
        return path;
    }

    /// <summary>A sibling file: the cluster file as it is now (after the steps that replaced it) with <paramref name="edit"/> applied.</summary>
    public string Derived(string name, Func<string, string> edit)
    {
        var path = System.IO.Path.Combine(Directory, name);
        File.WriteAllText(path, edit(File.ReadAllText(Path)));
        return path;
    }

    public void Dispose() => System.IO.Directory.Delete(Directory, recursive: true);

    private void Write(Func<string, string> edit) => File.WriteAllText(Path, Edit(edit));

    private string Edit(Func<string, string> edit)
    {
        var example = File.ReadAllText(System.IO.Path.Combine(LabScript.RepoRoot, "examples", "lab-cluster.yaml"));
        const string state = "stateDirectory: /var/lib/bootstrap-lab/state";
        Assert.Contains(state, example, StringComparison.Ordinal);
        return edit(example.Replace(state, "stateDirectory: " + State, StringComparison.Ordinal));
    }
}
