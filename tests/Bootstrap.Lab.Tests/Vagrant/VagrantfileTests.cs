using Bootstrap.Lab.Tests.Lab;

namespace Bootstrap.Lab.Tests.Vagrant;

/// <summary>vagrant/Vagrantfile, checked by Debian's real vagrant (no provider is needed to validate).</summary>
[Trait("Category", "Vagrant")]
public sealed class VagrantfileTests
{
    private static readonly string VagrantDir = Path.Combine(LabScript.RepoRoot, "vagrant");

    private static Task<ProcessResult> ValidateAsync(Dictionary<string, string>? environment = null) =>
        LocalProcess.RunAsync("vagrant", ["validate", "--ignore-provider", "--no-color"], TimeSpan.FromMinutes(2), environment, VagrantDir);

    [Fact]
    public async Task Vagrantfile_validates_with_the_lab_machines()
    {
        var result = await ValidateAsync();

        Assert.True(result.ExitCode == 0, result.Output);
        Assert.Contains("Vagrantfile validated successfully.", result.Stdout, StringComparison.Ordinal);
        foreach (var machine in LabMachine.All)
        {
            Assert.Contains($"==> {machine.Name}:", result.Stdout, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task The_number_of_workers_follows_BOOTSTRAP_WORKERS()
    {
        var result = await ValidateAsync(new() { ["BOOTSTRAP_WORKERS"] = "3" });

        Assert.True(result.ExitCode == 0, result.Output);
        Assert.Contains("==> w3:", result.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("==> w4:", result.Stdout, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("BOOTSTRAP_WORKERS", "two")]
    [InlineData("BOOTSTRAP_CP_MEMORY", "512")]
    public async Task A_bad_setting_is_refused_naming_the_variable(string variable, string value)
    {
        var result = await ValidateAsync(new() { [variable] = value });

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains($"{variable}=\"{value}\" must be a whole number in", result.Output, StringComparison.Ordinal);
    }
}
