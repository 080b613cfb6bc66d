using System.Globalization;

namespace Bootstrap.Core.Config;

/// <summary>
/// A Kubernetes (or etcd) release, written <c>vMAJOR.MINOR.PATCH</c> in the cluster file (e.g. <c>v1.20.2</c>), with an optional
/// pre-release such as <c>-lab.0</c> (what a build stamped <c>KUBE_GIT_VERSION=v1.20.3-lab.0</c> reports). Ordered as semantic
/// versions: a pre-release comes before its release (<c>v1.20.3-lab.0</c> &lt; <c>v1.20.3</c>), after the patch before it.
/// </summary>
public sealed record KubernetesVersion(int Major, int Minor, int Patch, string PreRelease = "") : IComparable<KubernetesVersion>
{
    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"v{Major}.{Minor}.{Patch}{(PreRelease.Length > 0 ? "-" + PreRelease : string.Empty)}");

    /// <summary><c>MAJOR.MINOR</c>, as kubeadm names its per-minor objects (kubelet-config-1.20).</summary>
    public string MinorVersion => string.Create(CultureInfo.InvariantCulture, $"{Major}.{Minor}");

    public int CompareTo(KubernetesVersion? other)
    {
        if (other is null)
        {
            return 1;
        }

        var release = (Major, Minor, Patch).CompareTo((other.Major, other.Minor, other.Patch));
        if (release != 0 || PreRelease == other.PreRelease)
        {
            return release;
        }

        // A release outranks its pre-releases; pre-releases compare by their dot-separated identifiers.
        return PreRelease.Length == 0 ? 1 : other.PreRelease.Length == 0 ? -1 : ComparePreRelease(PreRelease, other.PreRelease);
    }

    public static bool operator <(KubernetesVersion left, KubernetesVersion right) => left is null ? right is not null : left.CompareTo(right) < 0;

    public static bool operator >(KubernetesVersion left, KubernetesVersion right) => left is not null && left.CompareTo(right) > 0;

    public static bool operator <=(KubernetesVersion left, KubernetesVersion right) => left is null || left.CompareTo(right) <= 0;

    public static bool operator >=(KubernetesVersion left, KubernetesVersion right) => left is null ? right is null : left.CompareTo(right) >= 0;

    private static int ComparePreRelease(string left, string right)
    {
        var a = left.Split('.');
        var b = right.Split('.');
        for (var i = 0; i < Math.Min(a.Length, b.Length); i++)
        {
            var numeric = int.TryParse(a[i], NumberStyles.None, CultureInfo.InvariantCulture, out var x) & int.TryParse(b[i], NumberStyles.None, CultureInfo.InvariantCulture, out var y);
            var order = numeric ? x.CompareTo(y) : string.CompareOrdinal(a[i], b[i]);
            if (order != 0)
            {
                return order;
            }
        }

        return a.Length.CompareTo(b.Length);
    }
}
