using System.Text.Json;
using System.Text.Json.Nodes;

namespace Bootstrap.Core.Kubernetes;

/// <summary>
/// Merges a patch over a JSON object: objects merge key by key, recursively; any other patch value
/// (a scalar, an array, null) replaces what was there. The inputs are not changed.
/// </summary>
internal static class JsonMerge
{
    public static JsonObject Apply(JsonObject target, JsonElement patch)
    {
        ArgumentNullException.ThrowIfNull(target);
        if (patch.ValueKind != JsonValueKind.Object)
        {
            throw new ArgumentException($"a configuration patch must be a JSON object, not {patch.ValueKind}", nameof(patch));
        }

        var result = (JsonObject)target.DeepClone();
        MergeInto(result, JsonObject.Create(patch)!);
        return result;
    }

    private static void MergeInto(JsonObject target, JsonObject patch)
    {
        foreach (var (key, value) in patch.ToArray())
        {
            if (value is JsonObject patchObject && target[key] is JsonObject targetObject)
            {
                MergeInto(targetObject, patchObject);
            }
            else
            {
                target[key] = value?.DeepClone();
            }
        }
    }
}
