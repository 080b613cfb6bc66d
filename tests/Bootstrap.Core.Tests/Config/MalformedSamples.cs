namespace Bootstrap.Core.Tests.Config;

/// <summary>
/// The directory of the malformed cluster files (Config/Malformed in the test output). Their identity file,
/// keys/id_ecdsa, is generated on first use, since a cluster file is checked to name a real private key.
/// </summary>
internal static class MalformedSamples
{
    private static readonly Lazy<string> Prepared = new(Prepare, LazyThreadSafetyMode.ExecutionAndPublication);

    public static string Directory => Prepared.Value;

    private static string Prepare()
    {
        var directory = Path.Combine(AppContext.BaseDirectory, "Config", "Malformed");
        var keys = Path.Combine(directory, "keys");
        System.IO.Directory.CreateDirectory(keys);
        if (!File.Exists(Path.Combine(keys, "id_ecdsa")) || !File.Exists(Path.Combine(keys, "id_ecdsa.pub")))
        {
            TestKeys.Write(Path.Combine(keys, "id_ecdsa"));
        }

        return directory;
    }
}
