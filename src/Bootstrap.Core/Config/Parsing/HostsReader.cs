using YamlDotNet.RepresentationModel;

namespace Bootstrap.Core.Config.Parsing;

/// <summary>Reads <c>spec.hosts</c>: name, address, roles and SSH overrides of each host.</summary>
internal static class HostsReader
{
    private const string NameExpectation = "a host name: lowercase letters, digits and '-' (an RFC 1123 label, at most 63 characters)";
    private static readonly string[] Keys = ["name", "address", "roles", "ssh"];

    private static IReadOnlyList<string> RoleNames => HostRoleNames.All;

    public static IReadOnlyList<HostDraft>? Read(MappingReader spec)
    {
        if (spec.Required("hosts", "a list of hosts") is not { } node)
        {
            return null;
        }

        if (node is not YamlSequenceNode sequence)
        {
            spec.Context.Error(node, spec.PathOf("hosts"), $"expected a list of hosts (each with name, address, roles); found {YamlNodes.Describe(node)}");
            return null;
        }

        var hosts = new List<HostDraft>();
        for (var i = 0; i < sequence.Children.Count; i++)
        {
            var path = spec.PathOf("hosts") + ClusterFileReader.Index(i);
            spec.Context.Remember(path, sequence.Children[i]);
            hosts.Add(ReadHost(spec.Context, sequence.Children[i], path));
        }

        return hosts;
    }

    private static HostDraft ReadHost(ParseContext context, YamlNode node, string path)
    {
        var map = MappingReader.Open(context, node, path, Keys);
        if (map is null)
        {
            return new HostDraft { Path = path };
        }

        var name = map.RequiredString("name", NameExpectation);
        if (name is not null && !ScalarFormats.IsDnsLabel(name))
        {
            context.Error(map.Get("name")!, map.PathOf("name"), $"expected {NameExpectation}; found {InputQuote.Quote(name)}");
            name = null;
        }

        var addressText = map.RequiredString("address", ScalarFormats.AddressExpectation);
        var address = addressText is null ? null : ScalarFormats.Address(addressText);
        if (addressText is not null && address is null)
        {
            var hint = ScalarFormats.IsDnsName(addressText) && addressText.Any(char.IsAsciiLetter) ? " (host names are not resolved: write the address)" : string.Empty;
            context.Error(map.Get("address")!, map.PathOf("address"), $"expected {ScalarFormats.AddressExpectation}{hint}; found {InputQuote.Quote(addressText)}");
        }

        var ssh = map.Get("ssh") is { } sshNode ? SshReader.Read(context, sshNode, map.PathOf("ssh"), isDefaults: false) : null;
        return new HostDraft
        {
            Path = path,
            Name = name,
            Address = address,
            Roles = ReadRoles(map),
            Ssh = ssh,
        };
    }

    private static HostRole[]? ReadRoles(MappingReader map)
    {
        var expectation = "a list of roles from " + string.Join(", ", RoleNames);
        if (map.Required("roles", expectation) is not { } node)
        {
            return null;
        }

        var items = map.StringList("roles", "roles from " + string.Join(", ", RoleNames));
        if (items is null)
        {
            return null;
        }

        if (items.Count == 0 && node is YamlSequenceNode { Children.Count: 0 })
        {
            map.Context.Error(node, map.PathOf("roles"), $"a host needs at least one role; expected {expectation}");
            return null;
        }

        var roles = new List<HostRole>();
        var ok = items.Count == ((YamlSequenceNode)node).Children.Count;
        foreach (var (value, itemNode, itemPath) in items)
        {
            var role = HostRoleNames.Parse(value);
            if (role is null)
            {
                map.Context.Error(itemNode, itemPath, $"unknown role {InputQuote.Quote(value)}{Suggestions.DidYouMean(value, RoleNames)} (allowed: {string.Join(", ", RoleNames)})");
                ok = false;
            }
            else if (roles.Contains(role.Value))
            {
                map.Context.Error(itemNode, itemPath, $"role {InputQuote.Quote(value)} is listed twice");
                ok = false;
            }
            else
            {
                roles.Add(role.Value);
            }
        }

        return ok ? roles.ToArray() : null;
    }
}
