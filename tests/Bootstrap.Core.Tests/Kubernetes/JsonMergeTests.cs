using System.Text.Json;
using System.Text.Json.Nodes;
using Bootstrap.Core.Kubernetes;

namespace Bootstrap.Core.Tests.Kubernetes;

public sealed class JsonMergeTests
{
    [Fact]
    public void Objects_merge_deeply_and_the_patch_wins()
    {
        var target = new JsonObject
        {
            ["a"] = new JsonObject { ["keep"] = 1, ["change"] = 2, ["deep"] = new JsonObject { ["x"] = 1 } },
            ["list"] = new JsonArray(1, 2, 3),
            ["scalar"] = "old",
        };

        var merged = JsonMerge.Apply(target, Parse("""{"a":{"change":20,"deep":{"y":2},"new":true},"list":[9],"scalar":{"now":"object"}}"""));

        Assert.Equal(
            """{"a":{"keep":1,"change":20,"deep":{"x":1,"y":2},"new":true},"list":[9],"scalar":{"now":"object"}}""",
            merged.ToJsonString());
    }

    [Fact]
    public void A_null_in_the_patch_replaces_the_value_with_null()
    {
        var merged = JsonMerge.Apply(new JsonObject { ["a"] = 1 }, Parse("""{"a":null}"""));

        Assert.Equal("""{"a":null}""", merged.ToJsonString());
    }

    [Fact]
    public void The_target_is_not_changed()
    {
        var target = new JsonObject { ["a"] = new JsonObject { ["b"] = 1 } };

        JsonMerge.Apply(target, Parse("""{"a":{"b":2}}"""));

        Assert.Equal("""{"a":{"b":1}}""", target.ToJsonString());
    }

    [Fact]
    public void A_patch_that_is_not_an_object_is_refused() =>
        Assert.Throws<ArgumentException>(() => JsonMerge.Apply(new JsonObject(), Parse("[1]")));

    private static JsonElement Parse(string json)
    {
        using var document = JsonDocument.Parse(json);
        return document.RootElement.Clone();
    }
}
