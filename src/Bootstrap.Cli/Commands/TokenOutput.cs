using System.Globalization;
using System.Text;
using System.Text.Json;
using Bootstrap.Core.Kubernetes;

namespace Bootstrap.Cli.Commands;

/// <summary>What <c>bootstrap token</c> prints: kubeadm's token table (ids only, never secrets), its JSON form, the join command.</summary>
internal static class TokenOutput
{
    private static readonly string[] Header = ["TOKEN ID", "TTL", "EXPIRES", "USAGES", "DESCRIPTION", "EXTRA GROUPS"];

    /// <summary>
    /// kubeadm's columns, aligned as its tabwriter aligns them (each column at least 10 wide, 3 spaces apart);
    /// the TOKEN ID column holds the public id only. Empty values print as <c>&lt;none&gt;</c>.
    /// </summary>
    public static string Table(IReadOnlyList<BootstrapTokenInfo> tokens, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(tokens);
        var rows = new List<string[]> { Header };
        rows.AddRange(tokens.Select(t => new[]
        {
            t.Id,
            t.Ttl(now),
            t.ExpiresText,
            OrNone(string.Join(",", t.Usages)),
            OrNone(t.Description),
            OrNone(string.Join(",", t.Groups)),
        }));
        return TextTable.Format(rows, minimumWidth: 10, gap: 3);
    }

    /// <summary>A JSON array, one object per token: id, ttl, expires (null when never), usages, description, groups. No secret.</summary>
    public static string Json(IReadOnlyList<BootstrapTokenInfo> tokens, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(tokens);
        using var stream = new MemoryStream();
        using (var json = new Utf8JsonWriter(stream, CliJson.Writer(indented: true)))
        {
            json.WriteStartArray();
            foreach (var token in tokens)
            {
                json.WriteStartObject();
                json.WriteString("id", token.Id);
                json.WriteString("ttl", token.Ttl(now));
                if (token.Expires is null)
                {
                    json.WriteNull("expires");
                }
                else
                {
                    json.WriteString("expires", token.ExpiresText);
                }

                json.WriteStartArray("usages");
                token.Usages.ToList().ForEach(json.WriteStringValue);
                json.WriteEndArray();
                json.WriteString("description", token.Description);
                json.WriteStartArray("groups");
                token.Groups.ToList().ForEach(json.WriteStringValue);
                json.WriteEndArray();
                json.WriteEndObject();
            }

            json.WriteEndArray();
        }

        return Encoding.UTF8.GetString(stream.ToArray()) + "\n";
    }

    /// <summary>The command a node runs to join with <paramref name="token"/>: <c>kubeadm join HOST:PORT --token … --discovery-token-ca-cert-hash sha256:…</c>. A credential.</summary>
    public static string JoinCommand(string endpoint, BootstrapToken token, string caCertHash)
    {
        ArgumentException.ThrowIfNullOrEmpty(endpoint);
        ArgumentNullException.ThrowIfNull(token);
        ArgumentException.ThrowIfNullOrEmpty(caCertHash);
        return string.Create(CultureInfo.InvariantCulture, $"kubeadm join {endpoint} --token {token.Value} --discovery-token-ca-cert-hash {caCertHash}");
    }

    private static string OrNone(string value) => value.Length == 0 ? "<none>" : value;
}
