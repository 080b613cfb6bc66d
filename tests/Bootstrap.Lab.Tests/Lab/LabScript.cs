namespace Bootstrap.Lab.Tests.Lab;

/// <summary>Drives scripts/lab, the project's real lab, from tests.</summary>
internal static class LabScript
{
    public static readonly TimeSpan UpTimeout = TimeSpan.FromMinutes(10);
    public static readonly TimeSpan DownTimeout = TimeSpan.FromMinutes(3);

    public static string RepoRoot { get; } = FindRepoRoot();

    public static string Path => System.IO.Path.Combine(RepoRoot, "scripts", "lab");

    public static Task<ProcessResult> RunAsync(TimeSpan timeout, IReadOnlyDictionary<string, string>? environment, params string[] args) =>
        LocalProcess.RunAsync(Path, args, timeout, environment, RepoRoot);

    public static async Task<ProcessResult> UpAsync(IReadOnlyDictionary<string, string>? environment = null) =>
        await RunAsync(UpTimeout, environment, "up");

    public static async Task UpOrFailAsync()
    {
        var up = await UpAsync();
        Assert.True(up.ExitCode == 0, "scripts/lab up failed:\n" + up.Output);
    }

    public static async Task DownOrFailAsync()
    {
        var down = await RunAsync(DownTimeout, null, "down");
        Assert.True(down.ExitCode == 0, "scripts/lab down failed:\n" + down.Output);
    }

    /// <summary>The lab's paths, as `scripts/lab env` prints them.</summary>
    public static async Task<LabPaths> PathsAsync()
    {
        var values = await EnvAsync();
        return new LabPaths(values["LAB_CACHE"], values["LAB_RUN"], values["LAB_KEY"], values["LAB_ARTIFACTS"], values["LAB_BUSYBOX_IMAGE"]);
    }

    /// <summary>Every LAB_* setting <c>scripts/lab env</c> prints.</summary>
    public static async Task<IReadOnlyDictionary<string, string>> EnvAsync()
    {
        var env = await RunAsync(TimeSpan.FromSeconds(30), null, "env");
        Assert.Equal(0, env.ExitCode);
        return env.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => line.Split('=', 2))
            .ToDictionary(kv => kv[0], kv => kv[1], StringComparer.Ordinal);
    }

    private static string FindRepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(System.IO.Path.Combine(dir.FullName, "Bootstrap.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("Bootstrap.sln not found above " + AppContext.BaseDirectory);
    }
}
