using Bootstrap.Core.Pki;
using Bootstrap.Core.Rendering;
using Bootstrap.Core.Tests.Rendering;

namespace Bootstrap.Core.Tests.Pki;

/// <summary>The kubeconfig template; its golden file is checked with the others (Rendering/Golden/cp1-kubeconfig).</summary>
public sealed class KubeconfigTemplateTests
{
    [Fact]
    public void Rendered_kubeconfig_parses_back_to_the_same_values()
    {
        var sample = LabRenderings.Cp1Kubeconfig;

        Assert.Equal(sample, KubeconfigFile.TryParse(sample.Render()));
    }

    [Fact]
    public void A_variable_missing_from_the_model_fails_loudly_instead_of_rendering_empty()
    {
        var e = Assert.Throws<TemplateRenderException>(() => new TemplateRenderer().Render(KubeconfigFile.TemplateName, new { ClusterName = "kubernetes" }));

        Assert.Contains(KubeconfigFile.TemplateName, e.Message, StringComparison.Ordinal);
    }
}
