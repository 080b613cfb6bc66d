using System.Globalization;
using System.Text;
using YamlDotNet.Core;

namespace Bootstrap.Core.Config.Parsing;

/// <summary>
/// What a cluster file must be before it is YAML at all: UTF-8 text (or UTF-16 with its byte-order mark, as YAML allows) of
/// characters YAML can hold. YamlDotNet alone takes a NUL for the end of the file (so a file of one NUL reads as empty and
/// anything after one is dropped) and a byte that is not UTF-8 for U+FFFD (a value then silently differs from the file's);
/// both are reported here instead, at the line and column of the first such character.
/// </summary>
internal static class ClusterFileText
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>
    /// The text of a cluster file's <paramref name="bytes"/>; null, with one error in <paramref name="diagnostics"/> at the first
    /// byte that is not UTF-8, when it is not UTF-8 (a file with a UTF-16 byte-order mark is read as UTF-16).
    /// </summary>
    public static string? Decode(byte[] bytes, DiagnosticBag diagnostics)
    {
        ArgumentNullException.ThrowIfNull(bytes);
        ArgumentNullException.ThrowIfNull(diagnostics);
        if (bytes is [0xFF, 0xFE, ..] or [0xFE, 0xFF, ..])
        {
            using var reader = new StreamReader(new MemoryStream(bytes), detectEncodingFromByteOrderMarks: true);
            return reader.ReadToEnd();
        }

        var start = bytes is [0xEF, 0xBB, 0xBF, ..] ? 3 : 0;
        try
        {
            return StrictUtf8.GetString(bytes, start, bytes.Length - start);
        }
        catch (DecoderFallbackException e)
        {
            var at = start + Math.Max(0, e.Index);
            var lineStart = Array.LastIndexOf(bytes, (byte)'\n', Math.Max(0, at - 1)) + 1;
            var line = 1 + bytes.AsSpan(0, at).Count((byte)'\n');
            var column = 1 + Encoding.UTF8.GetCharCount(bytes, lineStart, at - lineStart);
            // The byte itself is not shown: it may be part of a secret.
            diagnostics.Error(new Mark(at, line, column), string.Empty,
                "a byte here is not UTF-8 text; expected a cluster file saved as UTF-8 (was it saved in another code page, such as Latin-1?)");
            return null;
        }
    }

    /// <summary>
    /// True when every character of <paramref name="yaml"/> is one YAML allows in a file (tab, line breaks and printable
    /// characters: no other C0 or C1 control character, no DEL); otherwise records one error at the first one.
    /// </summary>
    public static bool Check(string yaml, DiagnosticBag diagnostics)
    {
        ArgumentNullException.ThrowIfNull(yaml);
        ArgumentNullException.ThrowIfNull(diagnostics);
        int line = 1, column = 1;
        for (var i = 0; i < yaml.Length; i++)
        {
            var c = yaml[i];
            if (c == '\n')
            {
                (line, column) = (line + 1, 1);
                continue;
            }

            if (!Allowed(c))
            {
                var name = c == '\0'
                    ? "a NUL character (U+0000); expected YAML text, not a binary file (or a UTF-16 file without its byte-order mark)"
                    : string.Create(CultureInfo.InvariantCulture, $"the control character U+{(int)c:X4}, which YAML does not allow in a file; write it as an escape in a double-quoted string if it is meant");
                diagnostics.Error(new Mark(i, line, column), string.Empty, "the file holds " + name);
                return false;
            }

            column++;
        }

        return true;
    }

    private static bool Allowed(char c) => c switch
    {
        '\t' or '\r' or '\u0085' => true,
        < ' ' or '\u007F' => false,
        >= '\u0080' and < '\u00A0' => false,
        '\uFFFE' or '\uFFFF' => false,
        _ => true,
    };
}
