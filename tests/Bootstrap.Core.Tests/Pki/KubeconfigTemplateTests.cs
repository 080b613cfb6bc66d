using System.Runtime.CompilerServices;
using System.Text;
using Bootstrap.Core.Pki;
using Bootstrap.Core.Rendering;

namespace Bootstrap.Core.Tests.Pki;

public sealed class KubeconfigTemplateTests
{
    private static readonly KubeconfigFile Sample = new(
        "kubernetes",
        "https://10.0.0.10:6443",
        "-----BEGIN CERTIFICATE-----\nCA\n-----END CERTIFICATE-----\n",
        "system:node:cp1",
        "-----BEGIN CERTIFICATE-----\nCLIENT\n-----END CERTIFICATE-----\n",
        "-----BEGIN EC PRIVATE KEY-----\nKEY\n-----END EC PRIVATE KEY-----\n");

    [Fact]
    public void Kubeconfig_renders_exactly_as_the_golden_file()
    {
        var rendered = Encoding.UTF8.GetString(Sample.Render());

        Assert.Equal(File.ReadAllText(GoldenPath("kubelet.conf.golden")), rendered);
    }

    [Fact]
    public void Rendered_kubeconfig_parses_back_to_the_same_values()
    {
        Assert.Equal(Sample, KubeconfigFile.TryParse(Sample.Render()));
    }

    [Fact]
    public void A_variable_missing_from_the_model_fails_loudly_instead_of_rendering_empty()
    {
        var e = Assert.Throws<TemplateRenderException>(() => new TemplateRenderer().Render(KubeconfigFile.TemplateName, new { ClusterName = "kubernetes" }));

        Assert.Contains(KubeconfigFile.TemplateName, e.Message, StringComparison.Ordinal);
    }

    private static string GoldenPath(string name, [CallerFilePath] string here = "") =>
        Path.Combine(Path.GetDirectoryName(here)!, "Golden", name);
}
