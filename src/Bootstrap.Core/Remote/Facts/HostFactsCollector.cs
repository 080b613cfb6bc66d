namespace Bootstrap.Core.Remote.Facts;

/// <summary>Gathers <see cref="HostFacts"/> with a handful of read-only argv commands.</summary>
public static class HostFactsCollector
{
    // `command -v` is a shell builtin (`which` is missing on minimal images), so a fixed one-line
    // script loops over the names, which arrive as positional parameters and are never parsed as code.
    private const string FindBinaries = "for b do command -v \"$b\" || true; done";

    public static async Task<HostFacts> GatherAsync(ICommandRunner host, IReadOnlyList<string> binaries, SecretRedactor redactor, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(host);
        ArgumentNullException.ThrowIfNull(binaries);

        async Task<string> Run(params string[] argv) =>
            (await host.RunCheckedAsync(new RemoteCommand(argv), redactor, cancellationToken).ConfigureAwait(false)).Stdout;

        var osRelease = HostFactsParser.ParseOsRelease(await Run("cat", "/etc/os-release").ConfigureAwait(false));
        var architecture = HostFactsParser.NormalizeArchitecture(await Run("uname", "-m").ConfigureAwait(false));
        var hostname = (await Run("uname", "-n").ConfigureAwait(false)).Trim();
        var init = HostFactsParser.ParseInitSystem(await Run("cat", "/proc/1/comm").ConfigureAwait(false));
        var cpus = HostFactsParser.ParseCpus(await Run("nproc").ConfigureAwait(false));
        var memory = HostFactsParser.ParseMemTotalBytes(await Run("cat", "/proc/meminfo").ConfigureAwait(false));
        var addresses = HostFactsParser.ParseIPv4Addresses(await Run("ip", "-o", "-4", "addr", "show").ConfigureAwait(false));
        var found = binaries.Count == 0 ? string.Empty
            : await Run(["sh", "-c", FindBinaries, "sh", .. binaries]).ConfigureAwait(false);

        return new HostFacts
        {
            Host = host.Name,
            OsId = osRelease.GetValueOrDefault("ID", "linux"),
            OsVersion = osRelease.GetValueOrDefault("VERSION_ID", string.Empty),
            Architecture = architecture,
            Hostname = hostname,
            InitSystem = init,
            Cpus = cpus,
            MemoryBytes = memory,
            IPv4Addresses = addresses,
            Binaries = HostFactsParser.ParseBinaries(binaries, found),
        };
    }
}
