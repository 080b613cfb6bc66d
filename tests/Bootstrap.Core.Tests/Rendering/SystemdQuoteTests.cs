using Bootstrap.Core.Rendering;

namespace Bootstrap.Core.Tests.Rendering;

public sealed class SystemdQuoteTests
{
    [Theory]
    [InlineData("--bind-address=127.0.0.1", "--bind-address=127.0.0.1")]
    [InlineData("--controllers=*,bootstrapsigner,tokencleaner", "--controllers=*,bootstrapsigner,tokencleaner")]
    [InlineData("--name=a b", "\"--name=a b\"")]
    [InlineData("", "\"\"")]
    [InlineData("say \"hi\"", "\"say \\\"hi\\\"\"")]
    [InlineData("it's", "\"it's\"")]
    [InlineData("C:\\x", "\"C:\\\\x\"")]
    [InlineData("100%", "100%%")]
    [InlineData("%h and %%", "\"%%h and %%%%\"")]
    [InlineData("$HOME", "$$HOME")]
    [InlineData("${HOME}", "$${HOME}")]
    [InlineData(";", "\\;")]
    [InlineData("a;b", "a;b")]
    public void Argument_is_written_so_systemd_passes_it_unchanged(string value, string expected) =>
        Assert.Equal(expected, SystemdQuote.Argument(value));

    [Theory]
    [InlineData("a\nb")]
    [InlineData("a\rb")]
    [InlineData("a\0b")]
    [InlineData("a\tb")]
    public void Control_characters_are_refused(string value) =>
        Assert.Throws<ArgumentException>(() => SystemdQuote.Argument(value));
}
