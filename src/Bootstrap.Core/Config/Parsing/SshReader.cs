using System.Text.RegularExpressions;
using YamlDotNet.RepresentationModel;

namespace Bootstrap.Core.Config.Parsing;

/// <summary>Reads <c>spec.ssh</c>, a host's <c>ssh</c> overrides and bastions, including secret references.</summary>
internal static partial class SshReader
{
    public const int DefaultPort = 22;
    public const int DefaultConcurrency = 10;
    public static readonly TimeSpan DefaultConnectTimeout = TimeSpan.FromSeconds(10);

    /// <summary>The longest SSH timeout (connect, command, transfer stall) a cluster file may set.</summary>
    internal static readonly TimeSpan MaxTimeout = TimeSpan.FromHours(24);
    public static readonly TimeSpan DefaultCommandTimeout = TimeSpan.FromMinutes(5);
    public static readonly TimeSpan DefaultTransferStallTimeout = TimeSpan.FromSeconds(60);

    private static readonly string[] HostKeys =
        ["user", "port", "identityFile", "identityPassphrase", "agent", "password", "knownHosts", "hostKeyPolicy", "hostKeyFingerprints", "bastion", "connectTimeout",
            "commandTimeout", "transferStallTimeout"];

    private static readonly string[] DefaultKeys = [.. HostKeys, "concurrency"];

    private static readonly string[] BastionKeys = ["address", "port", "user", "identityFile", "identityPassphrase", "password", "hostKeyFingerprints"];

    private static readonly string[] Policies = ["strict", "accept-new"];

    private static readonly string[] DisablingPolicies = ["no", "off", "false", "none", "ignore", "insecure", "accept-all", "accept-any"];

    private const string PasswordExpectation = "a reference: env:NAME, file:PATH or prompt";

    /// <summary>Reads SSH fields; null when any of them is invalid (errors recorded).</summary>
    public static SshFields? Read(ParseContext context, YamlNode node, string path, bool isDefaults)
    {
        var map = MappingReader.Open(context, node, path, isDefaults ? DefaultKeys : HostKeys);
        if (map is null)
        {
            return null;
        }

        var errorsBefore = context.Diagnostics.ErrorCount;
        var user = User(map);

        int? port = map.Get("port") is null ? null : map.Int("port", 1, 65535, DefaultPort);
        var identity = map.String("identityFile");
        var password = map.Get("password") is { } passwordNode ? Secret(context, passwordNode, map.PathOf("password")) : null;
        var knownHosts = map.String("knownHosts");
        var policy = map.Get("hostKeyPolicy") is { } policyNode ? Policy(map, policyNode) : null;
        var fingerprints = map.Get("hostKeyFingerprints") is null ? null : Fingerprints(map);
        var bastion = map.Get("bastion") is { } bastionNode ? Bastion(context, bastionNode, map.PathOf("bastion")) : null;

        var timeout = Duration(map, "connectTimeout");
        var (passphrase, agent, commandTimeout, stallTimeout) = KeyAndTimeouts(map);

        var concurrency = isDefaults ? map.Int("concurrency", 1, 1000, DefaultConcurrency) : null;
        if (context.Diagnostics.ErrorCount > errorsBefore)
        {
            return null;
        }

        return new SshFields
        {
            User = user,
            Port = port,
            IdentityFile = identity is null ? null : context.ResolvePath(identity),
            Password = password,
            KnownHostsFile = knownHosts is null ? null : context.ResolvePath(knownHosts),
            HostKeyPolicy = policy,
            HostKeyFingerprints = fingerprints,
            Bastion = bastion,
            ConnectTimeout = timeout,
            Concurrency = concurrency,
            IdentityPassphrase = passphrase,
            Agent = agent,
            CommandTimeout = commandTimeout,
            TransferStallTimeout = stallTimeout,
        };
    }

    /// <summary>The key's passphrase reference, the agent switch and the command and transfer limits.</summary>
    private static (SecretReference? Passphrase, bool? Agent, TimeSpan? Command, TimeSpan? Stall) KeyAndTimeouts(MappingReader map)
    {
        var passphrase = map.Get("identityPassphrase") is { } node ? Secret(map.Context, node, map.PathOf("identityPassphrase")) : null;
        bool? agent = map.Get("agent") is null ? null : map.Bool("agent", fallback: false);
        return (passphrase, agent, Duration(map, "commandTimeout"), Duration(map, "transferStallTimeout"));
    }

    private static TimeSpan? Duration(MappingReader map, string key)
    {
        if (map.Get(key) is not { } node || map.Scalar(node, map.PathOf(key), ScalarFormats.DurationExpectation) is not { } text)
        {
            return null;
        }

        var value = ScalarFormats.Duration(text);
        if (value is null)
        {
            map.Context.Error(node, map.PathOf(key), $"expected {ScalarFormats.DurationExpectation}; found {InputQuote.Quote(text)}");
        }
        else if (value > MaxTimeout)
        {
            map.Context.Error(node, map.PathOf(key), $"expected at most 24h (a timeout of more than a day is none: a host that stops answering would hold the run); found {InputQuote.Quote(text)}");
            return null;
        }

        return value;
    }

    /// <summary>
    /// A password field: only a reference is accepted. The written value is never echoed, since
    /// it may be the password itself.
    /// </summary>
    public static SecretReference? Secret(ParseContext context, YamlNode node, string path)
    {
        if (node is not YamlScalarNode { Value: { } text })
        {
            context.Error(node, path, $"expected {PasswordExpectation}; found {YamlNodes.Describe(node)}");
            return null;
        }

        if (text == "prompt")
        {
            return new SecretReference(SecretReferenceKind.Prompt, null);
        }

        if (text.StartsWith("env:", StringComparison.Ordinal))
        {
            var name = text[4..];
            if (EnvironmentName().IsMatch(name))
            {
                return new SecretReference(SecretReferenceKind.Environment, name);
            }

            // A name that is only letters, digits and '_' (one starting with a digit) is shown, to be fixed; anything else after
            // "env:" is not: "env:PASS=hunter2" holds the password.
            var found = name.Length <= 64 && name.All(c => char.IsAsciiLetterOrDigit(c) || c == '_')
                ? $"\"env:{name}\""
                : string.Create(System.Globalization.CultureInfo.InvariantCulture, $"env: and {name.Length} characters that are not a variable name (not shown: they may hold the password)");
            context.Error(node, path, $"expected env:NAME with NAME an environment variable name (letters, digits, '_'); found {found}");
            return null;
        }

        if (text.StartsWith("file:", StringComparison.Ordinal))
        {
            var file = text[5..];
            if (file.Length > 0)
            {
                return new SecretReference(SecretReferenceKind.File, context.ResolvePath(file));
            }

            context.Error(node, path, "expected file:PATH with a path after \"file:\"");
            return null;
        }

        context.Error(node, path, $"passwords are never written in the cluster file; expected {PasswordExpectation} (the value is not shown)");
        return null;
    }

    private static HostKeyPolicy? Policy(MappingReader map, YamlNode node)
    {
        var path = map.PathOf("hostKeyPolicy");
        if (map.Scalar(node, path, "one of " + string.Join(", ", Policies)) is not { } text)
        {
            return null;
        }

        if (DisablingPolicies.Contains(text, StringComparer.OrdinalIgnoreCase))
        {
            map.Context.Error(node, path, $"host-key checking cannot be turned off; expected one of {string.Join(", ", Policies)} (pin keys with hostKeyFingerprints, or use accept-new)");
            return null;
        }

        return map.OneOf("hostKeyPolicy", Policies, null) switch
        {
            "strict" => Config.HostKeyPolicy.Strict,
            "accept-new" => Config.HostKeyPolicy.AcceptNew,
            _ => null,
        };
    }

    private static string[]? Fingerprints(MappingReader map)
    {
        const string expectation = "SSH host-key fingerprints such as SHA256:<43 base64 characters> (as ssh-keygen -lf prints them)";
        var items = map.StringList("hostKeyFingerprints", expectation);
        if (items is null)
        {
            return null;
        }

        var ok = true;
        foreach (var (value, node, itemPath) in items)
        {
            if (!ScalarFormats.IsHostKeyFingerprint(value))
            {
                map.Context.Error(node, itemPath, $"expected an SSH host-key fingerprint such as SHA256:<43 base64 characters> (as ssh-keygen -lf prints it); found {InputQuote.Quote(value)}");
                ok = false;
            }
        }

        var count = map.Get("hostKeyFingerprints") is YamlSequenceNode sequence ? sequence.Children.Count : 0;
        return ok && items.Count == count ? items.Select(i => i.Value).ToArray() : null;
    }

    private static BastionSpec? Bastion(ParseContext context, YamlNode node, string path)
    {
        var map = MappingReader.Open(context, node, path, BastionKeys);
        if (map is null)
        {
            return null;
        }

        var address = map.RequiredString("address", ScalarFormats.HostExpectation);
        if (address is not null && !ScalarFormats.IsHost(address))
        {
            context.Error(map.Get("address")!, map.PathOf("address"), $"expected {ScalarFormats.HostExpectation}; found {InputQuote.Quote(address)}{ScalarFormats.NotAnAddressHint(address)}");
            address = null;
        }

        var port = map.Int("port", 1, 65535, DefaultPort);
        var errorsBefore = context.Diagnostics.ErrorCount;
        var user = User(map);
        var identity = map.String("identityFile");
        var password = map.Get("password") is { } passwordNode ? Secret(context, passwordNode, map.PathOf("password")) : null;
        var passphrase = map.Get("identityPassphrase") is { } passphraseNode ? Secret(context, passphraseNode, map.PathOf("identityPassphrase")) : null;
        var fingerprints = Fingerprints(map);
        if (address is null || port is null || fingerprints is null || context.Diagnostics.ErrorCount > errorsBefore
            || (map.Get("password") is not null && password is null)
            || (map.Get("identityPassphrase") is not null && passphrase is null))
        {
            return null;
        }

        return new BastionSpec
        {
            Address = address,
            Port = port.Value,
            User = user,
            IdentityFile = identity is null ? null : context.ResolvePath(identity),
            Password = password,
            IdentityPassphrase = passphrase,
            HostKeyFingerprints = fingerprints,
        };
    }

    /// <summary>The login name of a host or bastion; the same characters for both, since both end up in SSH and in messages.</summary>
    private static string? User(MappingReader map)
    {
        var user = map.String("user");
        if (user is not null && !UserName().IsMatch(user))
        {
            map.Context.Error(map.Get("user")!, map.PathOf("user"), $"expected a login name (letters, digits, '.', '_', '-'); found {InputQuote.Quote(user)}");
            return null;
        }

        return user;
    }

    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_]*$")]
    private static partial Regex EnvironmentName();

    [GeneratedRegex("^[A-Za-z0-9._][A-Za-z0-9._-]{0,31}$")]
    private static partial Regex UserName();
}
