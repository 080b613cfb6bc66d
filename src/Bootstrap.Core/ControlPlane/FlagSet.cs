using Bootstrap.Core.Config;

namespace Bootstrap.Core.ControlPlane;

/// <summary>
/// Collects <c>--name=value</c> flags for one component and lists them sorted by name, as kubeadm
/// does; flags the component's version no longer accepts (<see cref="FlagVersionGates"/>) are dropped.
/// </summary>
internal sealed class FlagSet
{
    private readonly ControlPlaneComponent _component;
    private readonly KubernetesVersion _version;
    private readonly SortedDictionary<string, string> _flags = new(StringComparer.Ordinal);

    public FlagSet(ControlPlaneComponent component, KubernetesVersion version)
    {
        _component = component;
        _version = version;
    }

    public FlagSet Add(string name, string value)
    {
        if (!_flags.TryAdd(name, value))
        {
            throw new InvalidOperationException($"--{name} set twice for {_component}");
        }

        return this;
    }

    public FlagSet Add(string name, bool value) => Add(name, value ? "true" : "false");

    public FlagSet Add(string name, int value) => Add(name, value.ToString(System.Globalization.CultureInfo.InvariantCulture));

    /// <summary>The flags as arguments, sorted by name; <paramref name="extra"/> (the cluster file's extraArgs) replaces or adds flags as given, ungated.</summary>
    public IReadOnlyList<string> ToArguments(IReadOnlyDictionary<string, string>? extra = null)
    {
        var flags = new SortedDictionary<string, string>(
            _flags.Where(f => FlagVersionGates.Accepts(_component, f.Key, _version)).ToDictionary(f => f.Key, f => f.Value, StringComparer.Ordinal),
            StringComparer.Ordinal);
        foreach (var (name, value) in extra ?? new Dictionary<string, string>())
        {
            flags[name] = value;
        }

        return flags.Select(f => $"--{f.Key}={f.Value}").ToArray();
    }
}
