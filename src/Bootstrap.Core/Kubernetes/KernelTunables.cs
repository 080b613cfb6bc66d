using System.Globalization;
using System.Text.RegularExpressions;

namespace Bootstrap.Core.Kubernetes;

/// <summary>
/// The kernel settings the kubelet v1.20 requires (<c>setupKernelTunables</c> in
/// pkg/kubelet/cm/container_manager_linux.go, values from pkg/util/sysctl): with
/// <c>protectKernelDefaults: true</c> it refuses to start while one differs, instead of changing the
/// kernel itself. Bootstrap writes them to <see cref="DropInPath"/> on every node and applies that file
/// before the kubelet (re)starts; systemd-sysctl applies it again at boot, before the kubelet.
/// Reading and comparing them is pure: the commands' output comes in as text.
/// </summary>
internal static partial class KernelTunables
{
    public const string DropInPath = "/etc/sysctl.d/" + DropInName;

    private const string DropInName = "90-bootstrap-kubelet.conf";

    public static IReadOnlyList<KernelTunable> Required { get; } =
    [
        new("vm.overcommit_memory", 1),
        new("vm.panic_on_oom", 0),
        new("kernel.panic", 10),
        new("kernel.panic_on_oops", 1),
        new("kernel.keys.root_maxkeys", 1_000_000),
        new("kernel.keys.root_maxbytes", 25_000_000),
    ];

    /// <summary>The argv that prints the current values as <c>name = value</c> lines (procps sysctl).</summary>
    public static IReadOnlyList<string> ReadCommand { get; } = ["sysctl", .. Required.Select(t => t.Name)];

    /// <summary>
    /// What differs from <see cref="Required"/> in the output of <see cref="ReadCommand"/>, one phrase per setting
    /// (<c>vm.overcommit_memory is 0, the kubelet needs 1</c>); a setting missing from the output is "unreadable".
    /// </summary>
    public static IReadOnlyList<string> Mismatches(string sysctlOutput)
    {
        ArgumentNullException.ThrowIfNull(sysctlOutput);
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var line in sysctlOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var parts = line.Split('=', 2, StringSplitOptions.TrimEntries);
            if (parts.Length == 2)
            {
                values[parts[0]] = parts[1];
            }
        }

        var mismatches = new List<string>();
        foreach (var tunable in Required)
        {
            if (!values.TryGetValue(tunable.Name, out var value))
            {
                mismatches.Add($"{tunable.Name} cannot be read, the kubelet needs {Number(tunable.Value)}");
            }
            else if (!long.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var number) || number != tunable.Value)
            {
                mismatches.Add($"{tunable.Name} is {value}, the kubelet needs {Number(tunable.Value)}");
            }
        }

        return mismatches;
    }

    /// <summary>
    /// The settings of <see cref="Required"/> that a sysctl.d file applied after <see cref="DropInPath"/> sets
    /// to another value (so after a reboot the kubelet would refuse to start), from the output of
    /// <c>systemd-analyze cat-config sysctl.d</c>: each file's lines after a <c># /path/NAME.conf</c> header.
    /// systemd-sysctl applies files ordered by name whatever their directory, later ones winning, and a
    /// file in /etc masks one of the same name elsewhere; keys may use <c>/</c> instead of <c>.</c>, and
    /// a leading <c>-</c> only silences errors.
    /// </summary>
    public static IReadOnlyList<string> LaterOverrides(string catConfigOutput)
    {
        ArgumentNullException.ThrowIfNull(catConfigOutput);
        var wanted = Required.ToDictionary(t => t.Name, StringComparer.Ordinal);
        var overrides = new SortedDictionary<string, string>(StringComparer.Ordinal);
        string? file = null;
        foreach (var raw in catConfigOutput.Split('\n'))
        {
            var line = raw.Trim();
            if (FileHeader().Match(line) is { Success: true } header)
            {
                file = header.Groups["path"].Value;
                continue;
            }

            if (file is null || line.Length == 0 || line[0] is '#' or ';')
            {
                continue;
            }

            var parts = line.Split('=', 2, StringSplitOptions.TrimEntries);
            if (parts.Length != 2 || !wanted.TryGetValue(Normalize(parts[0].TrimStart('-')), out var tunable))
            {
                continue;
            }

            if (string.CompareOrdinal(Path.GetFileName(file), DropInName) <= 0)
            {
                // Applied before the drop-in, which sets it again.
                continue;
            }

            if (parts[1] == tunable.Value.ToString(CultureInfo.InvariantCulture))
            {
                overrides.Remove(tunable.Name);
            }
            else
            {
                overrides[tunable.Name] = $"{file} sets {tunable.Name} = {parts[1]} after {DropInPath} (the kubelet needs {Number(tunable.Value)})";
            }
        }

        return [.. overrides.Values];
    }

    /// <summary>sysctl.d's alternative form <c>kernel/panic</c> (slash first: slashes and dots swap) as <c>kernel.panic</c>.</summary>
    private static string Normalize(string key)
    {
        var separator = key.IndexOfAny(['.', '/']);
        return separator < 0 || key[separator] == '.'
            ? key
            : string.Concat(key.Select(c => c switch { '/' => '.', '.' => '/', _ => c }));
    }

    private static string Number(long value) => value.ToString(CultureInfo.InvariantCulture);

    // cat-config's header before each file: "# /etc/sysctl.d/99-sysctl.conf" (a symlink may be followed by " -> target").
    [GeneratedRegex(@"^# (?<path>/\S+\.conf)( -> \S+)?$")]
    private static partial Regex FileHeader();
}
