using Bootstrap.Core.Remote;

namespace Bootstrap.Core.Tests.Remote;

public sealed class SecretSourceTests
{
    [Fact]
    public async Task File_secret_drops_one_trailing_newline_and_is_registered()
    {
        var path = Path.GetTempFileName();
        try
        {
            await File.WriteAllTextAsync(path, "correct horse\n");
            var redactor = new SecretRedactor();

            var value = await SecretSource.FromFile(path).ResolveAsync(redactor, CancellationToken.None);

            Assert.Equal("correct horse", value);
            Assert.Equal("pw [REDACTED]", redactor.Redact("pw correct horse"));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public async Task Missing_environment_variable_names_the_variable_not_a_value()
    {
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() =>
            SecretSource.FromEnvironment("BOOTSTRAP_TEST_UNSET_VARIABLE").ResolveAsync(new SecretRedactor(), CancellationToken.None));

        Assert.Contains("BOOTSTRAP_TEST_UNSET_VARIABLE", error.Message, StringComparison.Ordinal);
    }
}
