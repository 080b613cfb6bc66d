using System.Text.Json.Serialization;

namespace Bootstrap.Core.Workflow;

/// <summary>One read: a command (argv, and whether it ran as root) or a file's path.</summary>
internal sealed class ReadEntry
{
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public List<string>? Argv { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public bool Sudo { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? File { get; init; }
}
