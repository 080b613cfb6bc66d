using System.Text;
using Bootstrap.Core.Config;
using Bootstrap.Core.Pki;

namespace Bootstrap.Core.Tests.Pki;

/// <summary>
/// Full PKIs for three stacked control-plane hosts, generated once per test class: one with
/// RSA-2048 keys and one with ECDSA P-256. Embedded kubeconfig certificates are extracted to
/// files so openssl can read them. The clock is the real one, so openssl verify (which uses
/// the current time) accepts what was generated.
/// </summary>
public sealed class GeneratedPkiFixture : IAsyncLifetime, IDisposable
{
    private readonly Dictionary<string, Generated> _generated = new(StringComparer.Ordinal);

    public async Task InitializeAsync()
    {
        var rsa = GenerateAsync("rsa-2048", KeyAlgorithm.Rsa2048);
        var ecdsa = GenerateAsync("ecdsa-p256", KeyAlgorithm.EcdsaP256);
        foreach (var generated in await Task.WhenAll(rsa, ecdsa))
        {
            _generated[generated.Algorithm] = generated;
        }
    }

    public Task DisposeAsync() => Task.CompletedTask;

    public void Dispose()
    {
        foreach (var generated in _generated.Values)
        {
            generated.Directory.Dispose();
        }
    }

    internal Generated For(string algorithm) => _generated[algorithm];

    private static async Task<Generated> GenerateAsync(string name, KeyAlgorithm algorithm)
    {
        var directory = new TemporaryDirectory();
        var state = directory.Combine("state");
        var request = PkiRequests.ThreeControlPlanes(algorithm);
        var clock = new ManualTimeProvider(TimeProvider.System.GetUtcNow());
        var changes = await new PkiManager(clock).EnsureAsync(request, state, CancellationToken.None);
        var specs = CertificateCatalog.Build(request);
        var extracted = directory.Combine("extracted");
        Directory.CreateDirectory(extracted);
        foreach (var spec in specs.Where(s => s.Kind == CertificateKind.Kubeconfig))
        {
            var kubeconfig = KubeconfigFile.TryParse(File.ReadAllBytes(Path.Combine(state, spec.Path)))!;
            var stem = Path.Combine(extracted, spec.Name.Replace('/', '_'));
            File.WriteAllText(stem + ".crt", kubeconfig.ClientCertificatePem, Encoding.ASCII);
            File.WriteAllText(stem + ".key", kubeconfig.ClientKeyPem, Encoding.ASCII);
        }

        return new Generated(name, directory, state, request, specs, changes, clock.GetUtcNow());
    }

    internal sealed record Generated(
        string Algorithm,
        TemporaryDirectory Directory,
        string State,
        PkiRequest Request,
        IReadOnlyList<CertificateSpec> Specs,
        PkiChanges Changes,
        DateTimeOffset GeneratedAt)
    {
        public string CertificateFile(CertificateSpec spec) => spec.Kind == CertificateKind.Kubeconfig
            ? Directory.Combine("extracted", spec.Name.Replace('/', '_') + ".crt")
            : Path.Combine(State, spec.Path + ".crt");

        public string KeyFile(CertificateSpec spec) => spec.Kind == CertificateKind.Kubeconfig
            ? Directory.Combine("extracted", spec.Name.Replace('/', '_') + ".key")
            : Path.Combine(State, spec.Path + ".key");

        public string CaFile(string caName) => Path.Combine(State, Specs.Single(s => s.Name == caName).Path + ".crt");
    }
}
