using System.Globalization;

namespace Bootstrap.Core.Config;

/// <summary>A Kubernetes release, written <c>vMAJOR.MINOR.PATCH</c> in the cluster file (e.g. <c>v1.20.2</c>).</summary>
public sealed record KubernetesVersion(int Major, int Minor, int Patch)
{
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"v{Major}.{Minor}.{Patch}");
}
