using System.Text.RegularExpressions;

namespace Bootstrap.Core.Config;

/// <summary>
/// A Linux network interface name as Bootstrap accepts it, in the cluster file and in what it renders: 1–15
/// characters (IFNAMSIZ − 1) of letters, digits, '.', '_', '-' and '@', and not "." or "..". The kernel
/// forbids '/', ':' and whitespace; the rest is kept to what is safe in keepalived's configuration.
/// </summary>
internal static partial class NetworkInterfaceName
{
    public const string Expectation = "a network interface name such as eth0 (1 to 15 letters, digits, '.', '_', '-' or '@')";

    public static bool IsValid(string name) => Pattern().IsMatch(name) && name is not ("." or "..");

    [GeneratedRegex(@"^[A-Za-z0-9_.@-]{1,15}$")]
    private static partial Regex Pattern();
}
