using System.Text;
using Bootstrap.Core.Rendering;
using YamlDotNet.RepresentationModel;

namespace Bootstrap.Core.Pki;

/// <summary>
/// A kubeconfig with embedded credentials, in the layout kubeadm writes (one cluster, one user,
/// context "&lt;user&gt;@&lt;cluster&gt;"). Rendered from templates/kubeconfig.sbn.
/// </summary>
internal sealed record KubeconfigFile(string ClusterName, string Server, string CaPem, string UserName, string ClientCertificatePem, string ClientKeyPem)
{
    public const string TemplateName = "kubeconfig.sbn";

    private static readonly TemplateRenderer Renderer = new();

    public byte[] Render() => Encoding.UTF8.GetBytes(Renderer.Render(TemplateName, new TemplateModel(
        ClusterName, Server, Base64(CaPem), UserName, Base64(ClientCertificatePem), Base64(ClientKeyPem))));

    /// <summary>Reads the first cluster and user of a kubeconfig; null when it lacks embedded credentials or is not YAML.</summary>
    public static KubeconfigFile? TryParse(byte[] content)
    {
        try
        {
            var yaml = new YamlStream();
            using var reader = new StringReader(Encoding.UTF8.GetString(content));
            yaml.Load(reader);
            var root = (YamlMappingNode)yaml.Documents[0].RootNode;
            var cluster = (YamlMappingNode)((YamlSequenceNode)root["clusters"]).Children[0];
            var user = (YamlMappingNode)((YamlSequenceNode)root["users"]).Children[0];
            var clusterBody = (YamlMappingNode)cluster["cluster"];
            var userBody = (YamlMappingNode)user["user"];
            return new KubeconfigFile(
                Scalar(cluster["name"]),
                Scalar(clusterBody["server"]),
                FromBase64(Scalar(clusterBody["certificate-authority-data"])),
                Scalar(user["name"]),
                FromBase64(Scalar(userBody["client-certificate-data"])),
                FromBase64(Scalar(userBody["client-key-data"])));
        }
#pragma warning disable CA1031 // Any malformed file means "re-issue"; parser messages could quote key material.
        catch (Exception)
#pragma warning restore CA1031
        {
            return null;
        }
    }

    // Records print every property; this one must never print the embedded key.
    private bool PrintMembers(StringBuilder builder)
    {
        builder.Append("ClusterName = ").Append(ClusterName).Append(", Server = ").Append(Server)
            .Append(", UserName = ").Append(UserName).Append(", ClientKeyPem = ").Append(Remote.SecretRedactor.Mask);
        return true;
    }

    private static string Scalar(YamlNode node) => ((YamlScalarNode)node).Value ?? string.Empty;

    /// <summary>A PEM as a kubeconfig's <c>*-data</c> field holds it.</summary>
    internal static string Base64(string pem) => Convert.ToBase64String(Encoding.ASCII.GetBytes(pem));

    private static string FromBase64(string data) => Encoding.ASCII.GetString(Convert.FromBase64String(data));

    /// <summary>The template's variables (snake_case in the template: cluster_name, certificate_authority_data …).</summary>
    private sealed record TemplateModel(
        string ClusterName, string Server, string CertificateAuthorityData, string UserName, string ClientCertificateData, string ClientKeyData);
}
