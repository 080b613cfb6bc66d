using Bootstrap.Core.ControlPlane;
using Bootstrap.Core.Rendering;
using YamlDotNet.RepresentationModel;

namespace Bootstrap.Core.Tests.ControlPlane;

public sealed class ApiServerConfigFilesTests
{
    private static readonly ApiServerConfigFiles Files = new(new TemplateRenderer());

    private static YamlMappingNode Parse(string yaml)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(yaml));
        return (YamlMappingNode)stream.Documents.Single().RootNode;
    }

    private static IEnumerable<YamlMappingNode> Rules(YamlMappingNode policy) =>
        ((YamlSequenceNode)policy["rules"]).Children.Cast<YamlMappingNode>();

    private static bool NamesResource(YamlMappingNode rule, string resource) =>
        rule.Children.TryGetValue("resources", out var groups)
        && ((YamlSequenceNode)groups).Children.Cast<YamlMappingNode>()
            .Any(g => ((YamlSequenceNode)g["resources"]).Children.Any(r => r.ToString() == resource));

    [Fact]
    public void Audit_policy_is_an_audit_v1_policy_ending_in_a_metadata_catch_all()
    {
        var policy = Parse(Files.AuditPolicy(LabCluster.Load()));

        Assert.Equal("audit.k8s.io/v1", policy["apiVersion"].ToString());
        Assert.Equal("Policy", policy["kind"].ToString());
        var last = Rules(policy).Last();
        Assert.Equal("Metadata", last["level"].ToString());
        Assert.Single(last.Children);
    }

    [Fact]
    public void Audit_policy_never_logs_request_or_response_bodies_and_secrets_match_a_metadata_rule_first()
    {
        var rules = Rules(Parse(Files.AuditPolicy(LabCluster.Load()))).ToArray();

        Assert.All(rules, r => Assert.Contains(r["level"].ToString(), new[] { "None", "Metadata" }));
        var firstForSecrets = rules.First(r => NamesResource(r, "secrets"));
        Assert.Equal("Metadata", firstForSecrets["level"].ToString());
    }

    [Fact]
    public void Audit_policy_drops_health_probes()
    {
        var rules = Rules(Parse(Files.AuditPolicy(LabCluster.Load())));

        var probes = Assert.Single(rules, r => r.Children.ContainsKey("nonResourceURLs"));
        Assert.Equal("None", probes["level"].ToString());
        Assert.Contains("/healthz*", ((YamlSequenceNode)probes["nonResourceURLs"]).Children.Select(c => c.ToString()));
    }

    [Fact]
    public void Encryption_config_encrypts_secrets_with_the_given_aescbc_key_and_keeps_identity_last()
    {
        var key = Enumerable.Range(100, 32).Select(i => (byte)i).ToArray();

        var config = Parse(Files.EncryptionConfig(LabCluster.Load(), [new EncryptionKey("key7", key)]));

        Assert.Equal("EncryptionConfiguration", config["kind"].ToString());
        var resource = (YamlMappingNode)((YamlSequenceNode)config["resources"]).Children.Single();
        Assert.Equal(["secrets"], ((YamlSequenceNode)resource["resources"]).Children.Select(c => c.ToString()));
        var providers = ((YamlSequenceNode)resource["providers"]).Children.Cast<YamlMappingNode>().ToArray();
        Assert.Equal(["aescbc", "identity"], providers.Select(p => p.Children.Keys.Single().ToString()));
        var aesKey = (YamlMappingNode)((YamlSequenceNode)((YamlMappingNode)providers[0]["aescbc"])["keys"]).Children.Single();
        Assert.Equal("key7", aesKey["name"].ToString());
        Assert.Equal(key, Convert.FromBase64String(aesKey["secret"].ToString()));
    }

    [Theory]
    [InlineData(16)]
    [InlineData(31)]
    [InlineData(33)]
    public void Encryption_key_of_the_wrong_length_is_refused(int length) =>
        Assert.Throws<ArgumentException>(() => Files.EncryptionConfig(LabCluster.Load(), [new EncryptionKey("key1", new byte[length])]));

    [Theory]
    [InlineData("")]
    [InlineData("key 1")]
    [InlineData("key:1")]
    public void Encryption_key_name_that_could_break_the_yaml_is_refused(string name) =>
        Assert.Throws<ArgumentException>(() => Files.EncryptionConfig(LabCluster.Load(), [new EncryptionKey(name, new byte[32])]));

    [Fact]
    public void During_a_rotation_the_first_key_encrypts_and_the_others_still_decrypt_in_order()
    {
        var config = Parse(Files.EncryptionConfig(LabCluster.Load(), [new EncryptionKey("key2", new byte[32]), new EncryptionKey("key1", Enumerable.Repeat((byte)7, 32).ToArray())]));

        var resource = (YamlMappingNode)((YamlSequenceNode)config["resources"]).Children.Single();
        var aescbc = (YamlMappingNode)((YamlMappingNode)((YamlSequenceNode)resource["providers"]).Children[0])["aescbc"];
        Assert.Equal(["key2", "key1"], ((YamlSequenceNode)aescbc["keys"]).Children.Select(k => ((YamlMappingNode)k)["name"].ToString()));
    }
}
