namespace Bootstrap.Core.Config;

/// <summary>The spelling of each <see cref="HostRole"/> in the cluster file.</summary>
public static class HostRoleNames
{
    /// <summary>Every role name, in <see cref="HostRole"/> order.</summary>
    public static IReadOnlyList<string> All { get; } = ["control-plane", "etcd", "worker", "loadbalancer"];

    public static string Of(HostRole role) => All[(int)role];

    /// <summary>The role spelled <paramref name="name"/>, or null.</summary>
    public static HostRole? Parse(string name) =>
        All.IndexOf(name) is var i and >= 0 ? (HostRole)i : null;

    private static int IndexOf(this IReadOnlyList<string> names, string name)
    {
        for (var i = 0; i < names.Count; i++)
        {
            if (string.Equals(names[i], name, StringComparison.Ordinal))
            {
                return i;
            }
        }

        return -1;
    }
}
