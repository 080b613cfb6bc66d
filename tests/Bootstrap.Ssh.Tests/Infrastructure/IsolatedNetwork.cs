namespace Bootstrap.Ssh.Tests.Infrastructure;

/// <summary>
/// Two network namespaces chained by veth pairs: this machine ── bastion ── target.
/// This machine reaches the bastion (10.201.0.2) only; the target (10.202.0.2) is reachable from
/// the bastion only (an explicit unreachable route here, no forwarding in the bastion namespace).
/// </summary>
public sealed class IsolatedNetwork : IDisposable
{
    public const string BastionAddress = "10.201.0.2";
    public const string TargetAddress = "10.202.0.2";
    private const string TargetSubnet = "10.202.0.0/30";

    private readonly string _suffix = (Environment.ProcessId % 100000).ToString(System.Globalization.CultureInfo.InvariantCulture);

    public IsolatedNetwork()
    {
        Cleanup();
        var (toBastion, inBastion, bastionToTarget, inTarget) = Links;
        Ip("netns", "add", BastionNamespace);
        Ip("netns", "add", TargetNamespace);
        Ip("link", "add", toBastion, "type", "veth", "peer", "name", inBastion);
        Ip("link", "set", inBastion, "netns", BastionNamespace);
        Ip("addr", "add", "10.201.0.1/30", "dev", toBastion);
        Ip("link", "set", toBastion, "up");
        Ip("route", "add", "unreachable", TargetSubnet);
        Ip("-n", BastionNamespace, "link", "set", "lo", "up");
        Ip("-n", BastionNamespace, "addr", "add", BastionAddress + "/30", "dev", inBastion);
        Ip("-n", BastionNamespace, "link", "set", inBastion, "up");
        Ip("link", "add", bastionToTarget, "type", "veth", "peer", "name", inTarget);
        Ip("link", "set", bastionToTarget, "netns", BastionNamespace);
        Ip("link", "set", inTarget, "netns", TargetNamespace);
        Ip("-n", BastionNamespace, "addr", "add", "10.202.0.1/30", "dev", bastionToTarget);
        Ip("-n", BastionNamespace, "link", "set", bastionToTarget, "up");
        Ip("-n", TargetNamespace, "link", "set", "lo", "up");
        Ip("-n", TargetNamespace, "addr", "add", TargetAddress + "/30", "dev", inTarget);
        Ip("-n", TargetNamespace, "link", "set", inTarget, "up");
    }

    public string BastionNamespace => "bs-bastion-" + _suffix;

    public string TargetNamespace => "bs-target-" + _suffix;

    private (string, string, string, string) Links => ("bsh" + _suffix, "bsb" + _suffix, "bst" + _suffix, "bsx" + _suffix);

    public void Dispose() => Cleanup();

    private static void Ip(params string[] args) => Proc.Run("ip", args);

    private void Cleanup()
    {
        Proc.TryRun("ip", null, "netns", "del", BastionNamespace);
        Proc.TryRun("ip", null, "netns", "del", TargetNamespace);
        Proc.TryRun("ip", null, "link", "del", Links.Item1);
        Proc.TryRun("ip", null, "route", "del", "unreachable", TargetSubnet);
    }
}
