using Bootstrap.Core.Remote;
using Bootstrap.Core.Remote.Facts;
using Serilog.Core;

namespace Bootstrap.Core.Tests.Remote.Facts;

public sealed class HostFactsCollectorTests
{
    [Fact]
    public async Task Facts_of_this_machine_are_gathered()
    {
        await using var host = new LocalHost("self", new SecretRedactor(), Logger.None);

        var facts = await HostFactsCollector.GatherAsync(host, ["sh", "no-such-binary-xyz"], new SecretRedactor(), CancellationToken.None);

        Assert.Equal(Environment.ProcessorCount, facts.Cpus);
        Assert.False(string.IsNullOrEmpty(facts.OsId));
        Assert.Equal(Environment.MachineName, facts.Hostname);
        Assert.True(facts.MemoryBytes > 64L * 1024 * 1024);
        Assert.Equal(System.Runtime.InteropServices.RuntimeInformation.OSArchitecture switch
        {
            System.Runtime.InteropServices.Architecture.X64 => "amd64",
            System.Runtime.InteropServices.Architecture.Arm64 => "arm64",
            var other => other.ToString().ToLowerInvariant(),
        }, facts.Architecture);
        Assert.EndsWith("/sh", facts.Binaries["sh"], StringComparison.Ordinal);
        Assert.Null(facts.Binaries["no-such-binary-xyz"]);
    }
}
