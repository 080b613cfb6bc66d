namespace Bootstrap.Core.Tests.Etcd;

/// <summary>
/// Output captured from Debian's etcdctl 3.4.23 against a real three-member etcd 3.4.23 (plus a fourth added as a
/// learner, one member then stopped), in Etcd/Samples: what the parsers must read.
/// </summary>
internal static class EtcdSamples
{
    public static string Text(string name) => File.ReadAllText(PathOf(name));

    public static string PathOf(string name) => Path.Combine(AppContext.BaseDirectory, "Etcd", "Samples", name);
}
