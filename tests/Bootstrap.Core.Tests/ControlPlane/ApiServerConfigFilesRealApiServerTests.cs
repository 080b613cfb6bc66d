using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using Bootstrap.Core.Tests.Rendering;

namespace Bootstrap.Core.Tests.ControlPlane;

/// <summary>
/// The real v1.20.2 kube-apiserver (from <c>scripts/lab artifacts</c>) loads the rendered audit policy
/// and encryption configuration: it gets past both and on to dialling etcd (an unreachable address
/// here), and it exits at once, naming the file, when either is broken. Only the flags needed for
/// that are passed; the full flag list is checked by <see cref="FlagsAcceptedByRealBinariesTests"/>.
/// </summary>
[Trait("Category", "LabArtifacts")]
public sealed class ApiServerConfigFilesRealApiServerTests : IDisposable
{
    private const string ReachedStorage = "parsed scheme: \"endpoint\"";

    private readonly string _dir = Directory.CreateTempSubdirectory("bootstrap-apiserver-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static string Golden(string name) => File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Rendering", "Golden", name));

    [Fact]
    public void Kube_apiserver_loads_the_rendered_audit_policy_and_encryption_config()
    {
        var (reached, output) = Run(Golden("audit-policy.yaml"), Golden("encryption-config.yaml"));

        Assert.True(reached, output);
        Assert.Contains("Using audit backend", output, StringComparison.Ordinal);
    }

    [Fact]
    public void Kube_apiserver_refuses_a_broken_audit_policy_so_loading_means_something()
    {
        var broken = Golden("audit-policy.yaml").Replace("level: Metadata\n", "level: Everything\n", StringComparison.Ordinal);

        var (reached, output) = Run(broken, Golden("encryption-config.yaml"));

        Assert.False(reached, output);
        Assert.Contains("loading audit policy file", output, StringComparison.Ordinal);
    }

    [Fact]
    public void Kube_apiserver_refuses_a_broken_encryption_config_so_loading_means_something()
    {
        var broken = Golden("encryption-config.yaml").Replace("aescbc:", "aesgcmx:", StringComparison.Ordinal);

        var (reached, output) = Run(Golden("audit-policy.yaml"), broken);

        Assert.False(reached, output);
        Assert.Contains("encryption provider configuration file", output, StringComparison.Ordinal);
    }

    /// <summary>Starts kube-apiserver until it reaches storage (true) or exits (false); returns its log.</summary>
    private (bool ReachedStorage, string Output) Run(string auditPolicy, string encryptionConfig)
    {
        var policyFile = Write("audit-policy.yaml", auditPolicy);
        var encryptionFile = Write("encryption-config.yaml", encryptionConfig);
        using var key = RSA.Create(2048);
        var saKey = Write("sa.key", key.ExportRSAPrivateKeyPem());
        var saPub = Write("sa.pub", key.ExportSubjectPublicKeyInfoPem());

        var start = new ProcessStartInfo(Path.Combine(LabCluster.Load().Artifacts.Directory!, "kube-apiserver"))
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[]
                 {
                     $"--cert-dir={Path.Combine(_dir, "certs")}",
                     "--v=2",
                     "--bind-address=127.0.0.1",
                     $"--secure-port={FreePort()}",
                     "--etcd-servers=http://127.0.0.1:1",
                     "--service-account-issuer=https://kubernetes.default.svc.cluster.local",
                     $"--service-account-key-file={saPub}",
                     $"--service-account-signing-key-file={saKey}",
                     $"--audit-policy-file={policyFile}",
                     $"--audit-log-path={Path.Combine(_dir, "audit.log")}",
                     $"--encryption-provider-config={encryptionFile}",
                 })
        {
            start.ArgumentList.Add(argument);
        }

        var output = new System.Collections.Concurrent.ConcurrentQueue<string>();
        using var reached = new ManualResetEventSlim();
        using var process = new Process { StartInfo = start };
        void OnLine(object _, DataReceivedEventArgs e)
        {
            if (e.Data is null)
            {
                return;
            }

            output.Enqueue(e.Data);
            if (e.Data.Contains(ReachedStorage, StringComparison.Ordinal))
            {
                reached.Set();
            }
        }

        process.OutputDataReceived += OnLine;
        process.ErrorDataReceived += OnLine;
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var deadline = Stopwatch.StartNew();
        while (!reached.IsSet && !process.HasExited && deadline.Elapsed < TimeSpan.FromSeconds(60))
        {
            reached.Wait(TimeSpan.FromMilliseconds(100));
        }

        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
        }

        process.WaitForExit();
        return (reached.IsSet, string.Join('\n', output.Where(l => !l.Contains("FLAG:", StringComparison.Ordinal))));
    }

    private string Write(string name, string text)
    {
        var path = Path.Combine(_dir, name);
        File.WriteAllText(path, text);
        return path;
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
