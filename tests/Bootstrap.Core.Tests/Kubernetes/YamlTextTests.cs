using System.Text.Json.Nodes;
using Bootstrap.Core.Kubernetes;
using YamlDotNet.RepresentationModel;

namespace Bootstrap.Core.Tests.Kubernetes;

public sealed class YamlTextTests
{
    [Fact]
    public void Keys_are_sorted_and_nesting_is_two_spaces()
    {
        var yaml = YamlText.Write(new JsonObject
        {
            ["b"] = new JsonObject { ["y"] = 1, ["x"] = true },
            ["a"] = new JsonArray("one", new JsonObject { ["k"] = "v", ["j"] = "w" }),
            ["c"] = new JsonObject(),
            ["d"] = new JsonArray(),
            ["e"] = null,
        });

        // "y" is a YAML 1.1 boolean, so even as a key it is quoted.
        Assert.Equal("a:\n- one\n- j: w\n  k: v\nb:\n  x: true\n  \"y\": 1\nc: {}\nd: []\ne: null\n", yaml);
    }

    [Theory]
    [InlineData("10.96.0.10", "\"10.96.0.10\"")]
    [InlineData("true", "\"true\"")]
    [InlineData("on", "\"on\"")]
    [InlineData("No", "\"No\"")]
    [InlineData("", "\"\"")]
    [InlineData("a: b", "\"a: b\"")]
    [InlineData("x #y", "\"x #y\"")]
    [InlineData("4m0s", "\"4m0s\"")]
    [InlineData("line\nbreak", "\"line\\nbreak\"")]
    [InlineData("key:", "\"key:\"")]
    [InlineData("system:nodes", "system:nodes")]
    [InlineData("/etc/kubernetes/pki/ca.crt", "/etc/kubernetes/pki/ca.crt")]
    [InlineData("unix:///run/containerd/containerd.sock", "unix:///run/containerd/containerd.sock")]
    public void Strings_are_plain_only_when_they_cannot_be_misread(string value, string written) =>
        Assert.Equal($"k: {written}\n", YamlText.Write(new JsonObject { ["k"] = value }));

    [Fact]
    public void Every_string_reads_back_unchanged()
    {
        string[] values = ["10.96.0.10", "yes", "null", "~", "-1", "1e3", "0x1F", "a: b", "'q'", "\"d\"", "tab\there", "é", "[x]", "{y}", "!tag", "&a", "*b", "%p", "@at", "`t`", "a,b", "- x", "? y"];
        var root = new JsonObject();
        for (var i = 0; i < values.Length; i++)
        {
            root["k" + i.ToString("D2", System.Globalization.CultureInfo.InvariantCulture)] = values[i];
        }

        var stream = new YamlStream();
        stream.Load(new StringReader(YamlText.Write(root)));
        var mapping = (YamlMappingNode)stream.Documents[0].RootNode;

        for (var i = 0; i < values.Length; i++)
        {
            var node = (YamlScalarNode)mapping["k" + i.ToString("D2", System.Globalization.CultureInfo.InvariantCulture)];
            Assert.Equal(values[i], node.Value);
            Assert.NotEqual(YamlDotNet.Core.ScalarStyle.Plain, node.Style);
        }
    }
}
