using System.Text;
using System.Text.Json;
using Bootstrap.Core.Workflow;

namespace Bootstrap.Cli.Workflow;

/// <summary>
/// <c>--output json</c>: one JSON object per line for each event (<c>phase-start</c>, <c>change</c>, <c>host-end</c>,
/// <c>phase-end</c>) and a final <c>run-end</c> with the exit code. A <c>change</c> is one typed change record of a
/// target (host, kind, target, from, to, reason): in a plan, what would change; in a run, what changed. <c>host-end</c> and
/// <c>phase-end</c> carry <c>durationMs</c> and <c>waitMs</c>, the part of it spent waiting for components. Thread-safe.
/// </summary>
internal sealed class JsonLinesObserver(TextWriter output) : IWorkflowObserver
{
    private readonly Lock _lock = new();

    public void OnEvent(WorkflowEvent workflowEvent)
    {
        ArgumentNullException.ThrowIfNull(workflowEvent);
        var e = workflowEvent;
        if (e.Change is { } change)
        {
            Write(writer =>
            {
                writer.WriteString("event", "change");
                writer.WriteString("phase", e.Phase);
                writer.WriteString("time", e.Time);
                writer.WriteString("host", change.Host);
                writer.WriteString("kind", change.KindName);
                writer.WriteString("target", change.Target);
                WriteOptional(writer, "from", change.From);
                WriteOptional(writer, "to", change.To);
                WriteOptional(writer, "reason", change.Reason);
            });
            return;
        }

        Write(writer =>
        {
            writer.WriteString("event", e.Kind switch
            {
                WorkflowEventKind.PhaseStarted => "phase-start",
                WorkflowEventKind.HostFinished => "host-end",
                _ => "phase-end",
            });
            writer.WriteString("phase", e.Phase);
            writer.WriteString("time", e.Time);
            if (e.Kind == WorkflowEventKind.PhaseStarted)
            {
                WriteStrings(writer, "hosts", e.Hosts);
            }

            if (e.Host is not null)
            {
                writer.WriteString("host", e.Host);
            }

            if (e.Status is { } status)
            {
                writer.WriteString("status", ConsoleWorkflowObserver.Describe(status));
            }

            if (e.State is { } state)
            {
                writer.WriteString("state", ConsoleWorkflowObserver.Describe(state));
            }

            if (e.Changed is { } changed)
            {
                writer.WriteBoolean("changed", changed);
            }

            if (e.Duration is { } duration)
            {
                writer.WriteNumber("durationMs", Math.Round(duration.TotalMilliseconds, 1));
            }

            if (e.Waited is { } waited)
            {
                writer.WriteNumber("waitMs", Math.Round(waited.TotalMilliseconds, 1));
            }

            if (e.Error is not null)
            {
                writer.WriteString("error", e.Error);
            }

            if (e.Kind == WorkflowEventKind.HostFinished)
            {
                WriteStrings(writer, "details", e.Details);
            }
        });
    }

    /// <summary>The last line of a run: its exit code and, when it did not succeed, why.</summary>
    public void RunFinished(int exitCode, string result, string? error) => Write(writer =>
    {
        writer.WriteString("event", "run-end");
        writer.WriteNumber("exitCode", exitCode);
        writer.WriteString("result", result);
        if (error is not null)
        {
            writer.WriteString("error", error);
        }
    });

    private static void WriteOptional(Utf8JsonWriter writer, string name, string? value)
    {
        if (value is null)
        {
            writer.WriteNull(name);
        }
        else
        {
            writer.WriteString(name, value);
        }
    }

    private static void WriteStrings(Utf8JsonWriter writer, string name, IReadOnlyList<string> values)
    {
        writer.WriteStartArray(name);
        foreach (var value in values)
        {
            writer.WriteStringValue(value);
        }

        writer.WriteEndArray();
    }

    private void Write(Action<Utf8JsonWriter> body)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, CliJson.Writer(indented: false)))
        {
            writer.WriteStartObject();
            body(writer);
            writer.WriteEndObject();
        }

        var line = Encoding.UTF8.GetString(buffer.ToArray());
        lock (_lock)
        {
            output.WriteLine(line);
            output.Flush();
        }
    }
}
