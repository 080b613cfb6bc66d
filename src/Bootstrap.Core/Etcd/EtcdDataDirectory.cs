using System.Globalization;
using Bootstrap.Core.ControlPlane;

namespace Bootstrap.Core.Etcd;

/// <summary>etcd's data directory on a member, and where it goes when it is moved aside (renamed with the time, never deleted).</summary>
internal static class EtcdDataDirectory
{
    public const string Path = KubeadmLayout.EtcdDataDir;

    /// <summary>What a member's data is: its presence is what makes a host a member that has run.</summary>
    public const string Member = Path + "/member";

    /// <summary><c>/var/lib/etcd.PURPOSE-20261201T120000Z</c>.</summary>
    public static string Aside(string purpose, DateTimeOffset time) =>
        $"{Path}.{purpose}-{time.UtcDateTime.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture)}";
}
