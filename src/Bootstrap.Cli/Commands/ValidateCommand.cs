using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Bootstrap.Core.Config;

namespace Bootstrap.Cli.Commands;

/// <summary>
/// <c>bootstrap validate -f cluster.yaml [--output text|json]</c>: loads the cluster file and prints
/// either a short summary or every error and warning as <c>FILE:LINE:COL: PATH: MESSAGE</c>.
/// Exit code 0 when valid (warnings allowed), 2 when not.
/// </summary>
internal static class ValidateCommand
{
    public static Command Create(ClusterFileInput files)
    {
        var file = new Option<string>("--file", "-f")
        {
            Description = "The cluster file to check, or - to read it from standard input.",
            Required = true,
        };
        var output = new Option<string>("--output", "-o")
        {
            Description = "Output format: text, or json for a machine-readable result.",
            DefaultValueFactory = _ => "text",
        };
        output.AcceptOnlyFromAmong("text", "json");

        var command = new Command("validate", "Check a cluster file and report every problem with its line, column and field.")
        {
            file,
            output,
        };
        command.SetAction(parse => Run(
            files,
            parse.GetValue(file)!,
            parse.GetValue(output) == "json",
            parse.InvocationConfiguration.Output,
            parse.InvocationConfiguration.Error));
        return command;
    }

    internal static int Run(ClusterFileInput files, string file, bool json, TextWriter output, TextWriter error)
    {
        var path = ClusterFileInput.DisplayName(file);
        ClusterConfigLoadResult result;
        try
        {
            result = files.LoadResult(file);
        }
#pragma warning disable CA1031 // The user sees one line, never a stack trace; a crash here is our bug.
        catch (Exception e)
#pragma warning restore CA1031
        {
            error.WriteLine($"{path}: internal error while validating ({e.GetType().Name}: {e.Message}); please report it");
            return ExitCodes.Failure;
        }

        if (json)
        {
            output.WriteLine(ToJson(path, result));
        }
        else
        {
            foreach (var diagnostic in result.Diagnostics)
            {
                (diagnostic.Severity == ValidationSeverity.Error ? error : output).WriteLine(diagnostic.ToString());
            }

            if (result.Config is { } config)
            {
                output.WriteLine($"{path}: OK: {Summary(config)}");
            }
            else
            {
                error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{path}: {result.Errors.Count} error(s); the cluster file is not valid"));
            }
        }

        return result.Succeeded ? ExitCodes.Success : ExitCodes.BadInput;
    }

    private static string Summary(ClusterConfig config)
    {
        var roles = string.Join(", ", Enum.GetValues<HostRole>()
            .Select(role => (role, count: config.Hosts.Count(h => h.HasRole(role))))
            .Where(r => r.count > 0)
            .Select(r => string.Create(CultureInfo.InvariantCulture, $"{r.count} {RoleName(r.role)}")));
        return string.Create(CultureInfo.InvariantCulture,
            $"cluster \"{config.Name}\", Kubernetes {config.KubernetesVersion}, endpoint {config.ControlPlaneEndpoint.Url.GetLeftPart(UriPartial.Authority)}, " +
            $"{config.Hosts.Count} hosts ({roles}), etcd {Name(config.Etcd.Topology)} with {config.EtcdMembers.Count} members, " +
            $"load balancer {Name(config.LoadBalancer.Type)}");
    }

    private static string ToJson(string path, ClusterConfigLoadResult result)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, CliJson.Writer(indented: true)))
        {
            writer.WriteStartObject();
            writer.WriteString("file", path);
            writer.WriteBoolean("valid", result.Succeeded);
            WriteDiagnostics(writer, "errors", result.Errors);
            WriteDiagnostics(writer, "warnings", result.Warnings);
            if (result.Config is { } config)
            {
                writer.WriteStartObject("cluster");
                writer.WriteString("name", config.Name);
                writer.WriteString("kubernetesVersion", config.KubernetesVersion.ToString());
                writer.WriteString("endpoint", config.ControlPlaneEndpoint.Url.GetLeftPart(UriPartial.Authority));
                writer.WriteString("loadBalancer", Name(config.LoadBalancer.Type));
                writer.WriteString("etcdTopology", Name(config.Etcd.Topology));
                writer.WriteStartArray("etcdMembers");
                foreach (var member in config.EtcdMembers)
                {
                    writer.WriteStringValue(member.Name);
                }

                writer.WriteEndArray();
                writer.WriteStartArray("hosts");
                foreach (var host in config.Hosts)
                {
                    writer.WriteStartObject();
                    writer.WriteString("name", host.Name);
                    writer.WriteString("address", host.Address.ToString());
                    writer.WriteStartArray("roles");
                    foreach (var role in host.Roles)
                    {
                        writer.WriteStringValue(RoleName(role));
                    }

                    writer.WriteEndArray();
                    writer.WriteEndObject();
                }

                writer.WriteEndArray();
                writer.WriteString("stateDirectory", config.StateDirectory);
                writer.WriteEndObject();
            }

            writer.WriteEndObject();
        }

        return System.Text.Encoding.UTF8.GetString(buffer.ToArray());
    }

    private static void WriteDiagnostics(Utf8JsonWriter writer, string name, IReadOnlyList<ValidationError> diagnostics)
    {
        writer.WriteStartArray(name);
        foreach (var d in diagnostics)
        {
            writer.WriteStartObject();
            writer.WriteString("file", d.File);
            writer.WriteNumber("line", d.Line);
            writer.WriteNumber("column", d.Column);
            writer.WriteString("path", d.Path);
            writer.WriteString("message", d.Message);
            writer.WriteString("text", d.ToString());
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
    }

    private static string RoleName(HostRole role) => HostRoleNames.Of(role);

    private static string Name(EtcdTopology topology) => topology == EtcdTopology.Stacked ? "stacked" : "dedicated";

    private static string Name(LoadBalancerType type) => type == LoadBalancerType.External ? "external" : "haproxy-keepalived";
}
