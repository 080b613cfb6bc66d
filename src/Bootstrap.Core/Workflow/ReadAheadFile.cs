using System.Text.Json;
using Bootstrap.Core.Config;

namespace Bootstrap.Core.Workflow;

/// <summary>
/// What the runs of a cluster read from its hosts while they planned, kept for the next run (<see cref="ReadAhead"/>):
/// <c>cache/reads.json</c> in the state directory, per host and per phase, the commands (argv, as root or not) and the
/// files (paths) — never what they returned. Not part of the cluster's state: a file that is missing, unreadable or not of
/// this form is an empty record (the run reads each host phase by phase, as without it), and deleting it is always safe.
/// </summary>
internal static class ReadAheadFile
{
    /// <summary>The file, relative to the state directory.</summary>
    public const string RelativePath = "cache/reads.json";

    /// <summary>Bounds of what is taken from the file: anything past them is dropped, as if it had never been read.</summary>
    internal const int MaxBytes = 4 * 1024 * 1024;

    internal const int MaxReadsPerHost = 1000;

    private const int Version = 1;

    private static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        TypeInfoResolver = ReadAheadJsonContext.Default,
    };

    /// <summary>For each host, each phase's reads in the order they were first made; empty when there is no usable file.</summary>
    public static IReadOnlyDictionary<string, IReadOnlyDictionary<string, IReadOnlyList<ReadKey>>> Load(string stateDirectory, out string? problem)
    {
        problem = null;
        var path = Path.Combine(stateDirectory, RelativePath);
        var empty = new Dictionary<string, IReadOnlyDictionary<string, IReadOnlyList<ReadKey>>>(StringComparer.Ordinal);
        try
        {
            if (!File.Exists(path))
            {
                return empty;
            }

            // Larger than MaxBytes: FileTooLargeException, the problem below.
            var document = JsonSerializer.Deserialize<ReadAheadDocument>(BoundedFile.ReadAllBytes(path, MaxBytes), Options);
            if (document is not { Version: Version, Hosts: { } hosts })
            {
                problem = $"{path} is not a record of reads of version {Version}";
                return empty;
            }

            foreach (var (host, phases) in hosts)
            {
                var byPhase = new Dictionary<string, IReadOnlyList<ReadKey>>(StringComparer.Ordinal);
                var count = 0;
                foreach (var (phase, entries) in phases ?? [])
                {
                    var keys = new List<ReadKey>();
                    foreach (var entry in entries ?? [])
                    {
                        if (count < MaxReadsPerHost && ToKey(entry) is { } key)
                        {
                            keys.Add(key);
                            count++;
                        }
                    }

                    byPhase[phase] = keys;
                }

                empty[host] = byPhase;
            }

            return empty;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or JsonException or NotSupportedException)
        {
            problem = $"{path}: {e.Message}";
            return new Dictionary<string, IReadOnlyDictionary<string, IReadOnlyList<ReadKey>>>(StringComparer.Ordinal);
        }
    }

    /// <summary>
    /// Writes the record (0600, in a 0700 directory; a temporary file renamed over the old one, so a reader never sees half of
    /// it). Only into a state directory that exists: a run never creates the state for its cache.
    /// </summary>
    public static void Save(string stateDirectory, IReadOnlyDictionary<string, IReadOnlyDictionary<string, IReadOnlyList<ReadKey>>> reads)
    {
        ArgumentNullException.ThrowIfNull(reads);
        // The state's modes are a POSIX matter: like the state itself, the record is kept on Linux and macOS only.
        if (OperatingSystem.IsWindows() || !Directory.Exists(stateDirectory))
        {
            return;
        }

        var path = Path.Combine(stateDirectory, RelativePath);
        var directory = Path.GetDirectoryName(path)!;
        Directory.CreateDirectory(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var document = new ReadAheadDocument
        {
            Version = Version,
            Hosts = reads.OrderBy(h => h.Key, StringComparer.Ordinal).ToDictionary(
                h => h.Key,
                h => (Dictionary<string, List<ReadEntry>?>?)h.Value.OrderBy(p => p.Key, StringComparer.Ordinal)
                    .ToDictionary(p => p.Key, p => (List<ReadEntry>?)p.Value.Select(ToEntry).ToList(), StringComparer.Ordinal),
                StringComparer.Ordinal),
        };
        var temporary = path + ".tmp";
        using (var stream = new FileStream(temporary, new FileStreamOptions
        {
            Mode = FileMode.Create,
            Access = FileAccess.Write,
            UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
        }))
        {
            JsonSerializer.Serialize(stream, document, Options);
        }

        File.SetUnixFileMode(temporary, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        File.Move(temporary, path, overwrite: true);
    }

    private static ReadKey? ToKey(ReadEntry? entry) => entry switch
    {
        { File: { Length: > 0 } file, Argv: null } when file.StartsWith('/') && !file.Contains('\0', StringComparison.Ordinal) => ReadKey.File(file),
        { File: null, Argv: { Count: > 0 } argv } when argv[0].Length > 0 && argv.All(a => a is not null && !a.Contains('\0', StringComparison.Ordinal)) && Remote.CommandBatch.Batchable(argv) =>
            ReadKey.Command(argv, entry.Sudo),
        _ => null,
    };

    private static ReadEntry ToEntry(ReadKey key) => key.IsFile ? new ReadEntry { File = key.Path } : new ReadEntry { Argv = [.. key.Argv], Sudo = key.Sudo };
}
