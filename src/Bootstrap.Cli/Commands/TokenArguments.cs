using Bootstrap.Core.Config;
using Bootstrap.Core.Kubernetes;

namespace Bootstrap.Cli.Commands;

/// <summary>The values of <c>bootstrap token</c>'s flags and arguments, checked before anything is contacted.</summary>
internal static class TokenArguments
{
    /// <summary><c>--ttl</c> as kubeadm reads it (Go durations: 24h, 1h30m, 90s; 0 for a token that never expires).</summary>
    /// <summary>The longest <c>--ttl</c>: an expiration past it is no expiration (and past year 9999 none at all).</summary>
    internal static readonly TimeSpan MaxTtl = TimeSpan.FromDays(365 * 100);

    public static bool TryParseTtl(string? text, out TimeSpan ttl, out string error)
    {
        error = string.Empty;
        if (!GoDuration.TryParse(text, out ttl))
        {
            error = $"--ttl {InputQuote.Quote(text ?? string.Empty)} is not a duration: give a number with a unit of h, m, s (or ms, us, ns), e.g. 24h, 1h30m, 90s; 0 for a token that never expires";
            return false;
        }

        if (ttl < TimeSpan.Zero)
        {
            error = $"--ttl {InputQuote.Quote(text ?? string.Empty)} is negative; 0 makes a token that never expires";
            return false;
        }

        if (ttl > MaxTtl)
        {
            error = $"--ttl {InputQuote.Quote(text ?? string.Empty)} is longer than {MaxTtl.TotalDays / 365:0} years; 0 makes a token that never expires";
            return false;
        }

        if (ttl > TimeSpan.Zero && ttl < TimeSpan.FromSeconds(1))
        {
            error = $"--ttl {InputQuote.Quote(text ?? string.Empty)} is shorter than a second (the expiration is kept in whole seconds); 0 makes a token that never expires";
            return false;
        }

        return true;
    }

    /// <summary><c>--groups</c>, comma-separated or repeated; kubeadm's default node-token group when none is given.</summary>
    public static bool TryParseGroups(IEnumerable<string> values, out IReadOnlyList<string> groups, out string error)
    {
        ArgumentNullException.ThrowIfNull(values);
        var given = values.SelectMany(v => v.Split(',', StringSplitOptions.TrimEntries)).ToList();
        groups = given.Count == 0 ? [KubeadmObjectNames.NodeBootstrapTokenGroup] : given.Distinct(StringComparer.Ordinal).ToList();
        if (given.Any(g => g.Length == 0))
        {
            error = "--groups has an empty group name";
            return false;
        }

        error = BootstrapToken.GroupsProblem(groups) is { } problem ? "--groups: " + problem
            : groups.Contains(NodeClientCsrPolicy.TokenGroup, StringComparer.Ordinal)
                ? $"--groups: {NodeClientCsrPolicy.TokenGroup} is reserved for the tokens Bootstrap mints for its own joins (their requests are never approved automatically; `bootstrap join` makes them)"
                : string.Empty;
        return error.Length == 0;
    }

    /// <summary>
    /// The token ids of <c>token delete</c>'s arguments: each a token id or a whole token (id.secret), as kubeadm
    /// accepts them. A bad argument is named by its position, never quoted: it may be a mistyped secret.
    /// </summary>
    public static bool TryParseIds(IReadOnlyList<string> arguments, out IReadOnlyList<string> ids, out string error)
    {
        ArgumentNullException.ThrowIfNull(arguments);
        var found = new List<string>();
        ids = found;
        error = string.Empty;
        if (arguments.Count == 0)
        {
            error = "name at least one token to delete: its id (abcdef) or the whole token (abcdef.0123456789abcdef)";
            return false;
        }

        for (var i = 0; i < arguments.Count; i++)
        {
            var argument = arguments[i];
            if (BootstrapToken.IsValidId(argument))
            {
                found.Add(argument);
            }
            else if (BootstrapToken.TryParse(argument, out var token, out var problem))
            {
                found.Add(token.Id);
            }
            else
            {
                error = $"argument {i + 1} is neither a token id (6 characters of a-z and 0-9) nor a token: {(argument.Contains('.', StringComparison.Ordinal) ? problem : "it has no \".\" and is not an id")}";
                return false;
            }
        }

        ids = found.Distinct(StringComparer.Ordinal).ToList();
        return true;
    }
}
