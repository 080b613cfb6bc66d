using Bootstrap.Core.Kubernetes;

namespace Bootstrap.Core.Tests.Kubernetes;

public sealed class InstanceMetadataTests
{
    [Theory]
    [InlineData("Amazon EC2\nAmazon EC2\n1.0\n")] // Nitro: sys_vendor, bios_vendor, bios_version
    [InlineData("Xen\nXen\n4.11.amazon\nec2e1916-9099-7caf-fd21-012345abcdef\n")] // Xen: bios_version and the hypervisor UUID
    [InlineData("EC2E1916-9099-7CAF-FD21-012345ABCDEF\n")] // only the hypervisor UUID could be read, in capitals
    [InlineData("  amazon ec2  \r\n")]
    public void An_ec2_instance_is_told_by_its_vendor_bios_or_hypervisor_uuid(string identity) =>
        Assert.True(InstanceMetadata.IsAmazonEc2(identity));

    [Theory]
    [InlineData("")] // nothing readable: a container, as in the lab
    [InlineData("QEMU\nSeaBIOS\n1.16.2-debian-1.16.2-1\n")]
    [InlineData("Dell Inc.\nDell Inc.\n2.19.0\n")]
    [InlineData("Google\nGoogle\nGoogle\n")]
    [InlineData("Microsoft Corporation\nMicrosoft Corporation\nHyper-V UEFI Release v4.1\n")]
    [InlineData("Xen\nXen\n4.2\n5b1c7d8e-0000-4000-8000-ec2000000000\n")] // "ec2" inside a UUID, not at its start
    public void Anything_else_is_not(string identity) =>
        Assert.False(InstanceMetadata.IsAmazonEc2(identity));
}
