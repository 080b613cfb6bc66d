using System.Text.Json;

namespace Bootstrap.Core.Etcd;

/// <summary>
/// Reads what <c>etcdctl -w json</c> (v3.4) prints: member lists, endpoint status and health, snapshot status. Pure:
/// the text in, records out; anything else is an <see cref="EtcdException"/> quoting the start of the text. Member
/// ids are uint64 JSON numbers (too large for a double), read as such.
/// </summary>
internal static class EtcdOutput
{
    /// <summary><c>member list -w json</c>, and the <c>members</c> of <c>member add -w json</c>.</summary>
    public static IReadOnlyList<EtcdMember> MemberList(string json) =>
        Read(json, "member list", root => Members(Property(root, "members", JsonValueKind.Array)));

    /// <summary>The member a <c>member add -w json</c> added (its name is empty until it starts).</summary>
    public static EtcdMember AddedMember(string json) =>
        Read(json, "member add", root => Member(Property(root, "member", JsonValueKind.Object)));

    /// <summary><c>endpoint status -w json</c>: one entry per endpoint that answered (those that did not are only named on stderr).</summary>
    public static IReadOnlyList<EtcdEndpointStatus> EndpointStatus(string json) =>
        Read(json, "endpoint status", root => Array(root).Select(entry =>
        {
            var status = Property(entry, "Status", JsonValueKind.Object);
            var header = Property(status, "header", JsonValueKind.Object);
            return new EtcdEndpointStatus
            {
                Endpoint = Property(entry, "Endpoint", JsonValueKind.String).GetString()!,
                ClusterId = Property(header, "cluster_id", JsonValueKind.Number).GetUInt64(),
                MemberId = Property(header, "member_id", JsonValueKind.Number).GetUInt64(),
                Revision = OptionalInt64(header, "revision"),
                Leader = status.TryGetProperty("leader", out var leader) ? leader.GetUInt64() : 0,
                Version = Property(status, "version", JsonValueKind.String).GetString()!,
                DbSize = OptionalInt64(status, "dbSize"),
                DbSizeInUse = OptionalInt64(status, "dbSizeInUse"),
                RaftIndex = OptionalUInt64(status, "raftIndex"),
                RaftTerm = OptionalUInt64(status, "raftTerm"),
                RaftAppliedIndex = OptionalUInt64(status, "raftAppliedIndex"),
                IsLearner = status.TryGetProperty("isLearner", out var learner) && learner.ValueKind == JsonValueKind.True,
            };
        }).ToList());

    /// <summary><c>endpoint health -w json</c>: every endpoint asked, healthy or not.</summary>
    public static IReadOnlyList<EtcdEndpointHealth> EndpointHealth(string json) =>
        Read(json, "endpoint health", root => Array(root).Select(entry => new EtcdEndpointHealth(
            Property(entry, "endpoint", JsonValueKind.String).GetString()!,
            entry.TryGetProperty("health", out var health) && health.ValueKind == JsonValueKind.True,
            entry.TryGetProperty("took", out var took) && took.ValueKind == JsonValueKind.String ? took.GetString()! : string.Empty,
            entry.TryGetProperty("error", out var error) && error.ValueKind == JsonValueKind.String ? error.GetString() : null)).ToList());

    /// <summary><c>snapshot status FILE -w json</c>.</summary>
    public static EtcdSnapshotStatus SnapshotStatus(string json) =>
        Read(json, "snapshot status", root => new EtcdSnapshotStatus(
            Property(root, "hash", JsonValueKind.Number).GetUInt32(),
            Property(root, "revision", JsonValueKind.Number).GetInt64(),
            Property(root, "totalKey", JsonValueKind.Number).GetInt64(),
            Property(root, "totalSize", JsonValueKind.Number).GetInt64()));

    private static T Read<T>(string json, string what, Func<JsonElement, T> read)
    {
        ArgumentNullException.ThrowIfNull(json);
        try
        {
            using var document = JsonDocument.Parse(json);
            return read(document.RootElement);
        }
        catch (Exception e) when (e is JsonException or FormatException or InvalidOperationException or KeyNotFoundException)
        {
            var start = json.Trim();
            throw new EtcdException(
                $"etcdctl {what} printed something else than its JSON ({e.Message}): {(start.Length > 200 ? start[..200] + "…" : start)}", e);
        }
    }

    private static IReadOnlyList<EtcdMember> Members(JsonElement members) => [.. members.EnumerateArray().Select(Member)];

    private static EtcdMember Member(JsonElement member) => new(
        Property(member, "ID", JsonValueKind.Number).GetUInt64(),
        member.TryGetProperty("name", out var name) && name.ValueKind == JsonValueKind.String ? name.GetString()! : string.Empty,
        Strings(member, "peerURLs"),
        Strings(member, "clientURLs"),
        member.TryGetProperty("isLearner", out var learner) && learner.ValueKind == JsonValueKind.True);

    private static IReadOnlyList<string> Strings(JsonElement element, string name) =>
        element.TryGetProperty(name, out var list) && list.ValueKind == JsonValueKind.Array
            ? [.. list.EnumerateArray().Select(u => u.GetString() ?? throw new FormatException($"{name} holds a non-string"))]
            : [];

    private static JsonElement.ArrayEnumerator Array(JsonElement root) =>
        root.ValueKind == JsonValueKind.Array ? root.EnumerateArray() : throw new FormatException("expected a JSON array");

    private static JsonElement Property(JsonElement element, string name, JsonValueKind kind)
    {
        if (element.ValueKind != JsonValueKind.Object || !element.TryGetProperty(name, out var value))
        {
            throw new FormatException($"no \"{name}\"");
        }

        return value.ValueKind == kind ? value : throw new FormatException($"\"{name}\" is a {value.ValueKind}, expected a {kind}");
    }

    private static long OptionalInt64(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number ? value.GetInt64() : 0;

    private static ulong OptionalUInt64(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number ? value.GetUInt64() : 0;
}
