using System.Text;
using Bootstrap.Core.Config;
using Bootstrap.Core.Config.Parsing;

namespace Bootstrap.Core.Tests.Config.Parsing;

/// <summary>
/// A cluster file that is not text YAML can hold (a NUL, a control character, bytes that are not UTF-8) is named as such, at the
/// line and column of the first one: YamlDotNet alone reads a NUL as the end of the file and such bytes as U+FFFD.
/// </summary>
public sealed class ClusterFileTextTests
{
    private static readonly string LabFile = Path.Combine(AppContext.BaseDirectory, "Examples", "lab-cluster.yaml");

    [Theory]
    [InlineData("\0")]
    [InlineData("\0\0\n\0")]
    public void A_file_of_nul_bytes_is_named_as_binary_not_as_empty(string text)
    {
        var error = Assert.Single(Load(text).Errors);

        Assert.Equal((1, 1), (error.Line, error.Column));
        Assert.StartsWith("the file holds a NUL character (U+0000); expected YAML text, not a binary file", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_nul_inside_a_valid_file_is_reported_at_its_line_not_taken_for_the_end()
    {
        var lines = File.ReadAllLines(LabFile);
        var text = string.Join('\n', lines[..20]) + "\n\0" + string.Join('\n', lines[20..]) + "\n";

        var error = Assert.Single(Load(text).Errors);

        Assert.Equal((21, 1), (error.Line, error.Column));
        Assert.Contains("NUL character", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData('\u0001')]
    [InlineData('\u001B')]
    [InlineData('\u007F')]
    [InlineData('\u009B')]
    public void A_control_character_in_a_value_is_reported_at_its_column(char control)
    {
        var text = File.ReadAllText(LabFile).Replace("  name: lab\n", $"  name: la{control}b\n", StringComparison.Ordinal);

        var error = Assert.Single(Load(text).Errors);

        Assert.Equal((7, 11), (error.Line, error.Column));
        Assert.Equal($"the file holds the control character U+{(int)control:X4}, which YAML does not allow in a file; write it as an escape in a double-quoted string if it is meant", error.Message);
    }

    [Fact]
    public void Tabs_carriage_returns_and_printable_unicode_are_text()
    {
        var text = File.ReadAllText(LabFile).Replace("\n", "\r\n", StringComparison.Ordinal) + "# café – 東京\t\r\n";

        Assert.Empty(Load(text).Errors);
    }

    [Fact]
    public void A_latin1_byte_is_reported_at_its_line_and_column_without_its_value()
    {
        var bytes = Encoding.UTF8.GetBytes(File.ReadAllText(LabFile).Replace("  name: lab\n", "  name: l\u00E9b\n", StringComparison.Ordinal));
        var at = Array.IndexOf(bytes, (byte)0xC3);
        bytes = [.. bytes[..at], 0xE9, .. bytes[(at + 2)..]];
        var diagnostics = new DiagnosticBag("c.yaml");

        Assert.Null(ClusterFileText.Decode(bytes, diagnostics));

        var error = Assert.Single(diagnostics.ToSortedList());
        Assert.Equal((7, 10), (error.Line, error.Column));
        Assert.StartsWith("a byte here is not UTF-8 text; expected a cluster file saved as UTF-8", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("E9", error.Message, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void Standard_input_that_is_not_utf8_is_refused_like_a_file()
    {
        using var input = new MemoryStream([.. "apiVersion: bootstrap.dev/v1alpha1\n# caf"u8, 0xE9, (byte)'\n']);

        var result = ClusterConfigLoader.LoadStandardInput(input, "/home/tester");

        Assert.Null(result.Config);
        var error = Assert.Single(result.Errors);
        Assert.Equal((ClusterConfigLoader.StandardInputName, 2, 6), (error.File, error.Line, error.Column));
    }

    [Theory]
    [InlineData("utf-8 with a byte-order mark")]
    [InlineData("utf-16 little-endian with a byte-order mark")]
    [InlineData("utf-16 big-endian with a byte-order mark")]
    public void A_file_with_a_byte_order_mark_reads_as_the_same_text(string encoding)
    {
        var text = File.ReadAllText(LabFile);
        Encoding chosen = encoding switch
        {
            "utf-8 with a byte-order mark" => new UTF8Encoding(encoderShouldEmitUTF8Identifier: true),
            "utf-16 little-endian with a byte-order mark" => new UnicodeEncoding(bigEndian: false, byteOrderMark: true),
            _ => new UnicodeEncoding(bigEndian: true, byteOrderMark: true),
        };
        var diagnostics = new DiagnosticBag("c.yaml");

        var decoded = ClusterFileText.Decode([.. chosen.GetPreamble(), .. chosen.GetBytes(text)], diagnostics);

        Assert.Equal(text, decoded);
        Assert.Empty(diagnostics.ToSortedList());
    }

    private static ClusterConfigLoadResult Load(string text) =>
        ClusterConfigLoader.Load(text, "c.yaml", Path.GetDirectoryName(LabFile)!, "/home/tester");
}
