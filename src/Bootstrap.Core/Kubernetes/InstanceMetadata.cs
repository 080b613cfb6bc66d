namespace Bootstrap.Core.Kubernetes;

/// <summary>
/// Whether a node's kubelet may look for AWS credentials in the EC2 instance metadata service. The v1.20 kubelet asks
/// its in-tree ECR credential provider, at every start, whether AWS credentials exist; off EC2 the SDK's instance-role
/// lookup waits for 169.254.169.254 until its timeouts and retries run out (about 6 s measured in the lab, where that
/// address is not answered), and the kubelet serves nothing meanwhile. A node that is not an EC2 instance gets
/// <see cref="DisableLookup"/> in its unit; an EC2 instance keeps the lookup, so ECR images still pull with the
/// instance's role. Bootstrap configures no cloud provider, so nothing else reads the metadata service.
/// </summary>
internal static class InstanceMetadata
{
    /// <summary>The environment setting (AWS SDK for Go) that makes the instance-role lookup fail at once.</summary>
    public const string DisableLookup = "AWS_EC2_METADATA_DISABLED=true";

    /// <summary>
    /// The files that tell an EC2 instance, all readable without privileges: the DMI system and BIOS vendor
    /// ("Amazon EC2" on Nitro instances), the BIOS version (it names Amazon on Xen instances) and the Xen
    /// hypervisor's UUID (it starts with "ec2"). A file a host lacks is skipped.
    /// </summary>
    public static readonly IReadOnlyList<string> IdentityFiles =
    [
        "/sys/class/dmi/id/sys_vendor",
        "/sys/class/dmi/id/bios_vendor",
        "/sys/class/dmi/id/bios_version",
        "/sys/hypervisor/uuid",
    ];

    /// <summary>
    /// True when <paramref name="identity"/> (the text of <see cref="IdentityFiles"/>, one value a line, in any
    /// order and with any of them missing) names an EC2 instance.
    /// </summary>
    public static bool IsAmazonEc2(string identity)
    {
        ArgumentNullException.ThrowIfNull(identity);
        foreach (var raw in identity.Split('\n'))
        {
            var line = raw.Trim();
            if (line.Contains("amazon", StringComparison.OrdinalIgnoreCase) || line.StartsWith("ec2", StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }
}
