using Bootstrap.Core.Config;

namespace Bootstrap.Core.Tests.Config;

public sealed class InputQuoteTests
{
    [Fact]
    public void Short_input_is_quoted_whole() => Assert.Equal("\"cp1\"", InputQuote.Quote("cp1"));

    [Fact]
    public void Long_input_is_cut_at_80_characters_and_says_how_many_more_there_are()
    {
        var quoted = InputQuote.Quote(new string('a', 900_000));

        Assert.Equal("\"" + new string('a', 80) + "… (899920 more characters)\"", quoted);
    }

    [Fact]
    public void Control_characters_are_escaped_so_an_error_stays_one_line() =>
        Assert.Equal("\"a\\nb\\tc\\u0007\"", InputQuote.Quote("a\nb\tc\a"));

    [Fact]
    public void A_cut_never_splits_a_surrogate_pair()
    {
        var text = new string('a', 79) + "😀" + "tail";

        var capped = InputQuote.Cap(text);

        Assert.Equal(new string('a', 79) + "… (6 more characters)", capped);
    }

    [Fact]
    public void A_path_is_quoted_whole_unless_it_is_longer_than_any_path()
    {
        var path = "/" + string.Join('/', Enumerable.Repeat("directory", 20));
        Assert.Equal("\"" + path + "\"", InputQuote.QuotePath(path));
        Assert.EndsWith("… (9920 more characters)\"", InputQuote.QuotePath(new string('p', 10_000)), StringComparison.Ordinal);
    }
}
