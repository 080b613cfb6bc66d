using System.Globalization;
using System.Text;

namespace Bootstrap.Core.Config;

/// <summary>
/// How every error quotes what the user wrote (a cluster-file value, a key, a flag's value): on one line,
/// control characters escaped, at most <see cref="MaxLength"/> characters followed by how many were left out.
/// A 900 kB host name is an error of one short line, not 900 kB echoed back.
/// </summary>
internal static class InputQuote
{
    public const int MaxLength = 80;

    /// <summary><paramref name="text"/> capped and in double quotes: <c>"abc"</c>, <c>"aaaa… (899920 more characters)"</c>.</summary>
    public static string Quote(string text) => "\"" + Cap(text) + "\"";

    /// <summary>
    /// A file path from the user, in double quotes: whole, since a path cut short names no file, unless it is
    /// longer than any path Linux opens (<see cref="LocalPaths.MaxLength"/>) and so no file's name anyway.
    /// </summary>
    public static string QuotePath(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        return path.Length > LocalPaths.MaxLength ? Quote(path) : "\"" + Cap(path, LocalPaths.MaxLength) + "\"";
    }

    /// <summary><paramref name="text"/> capped, without quotes (for field paths, which are made of user keys).</summary>
    public static string Cap(string text, int maxLength = MaxLength)
    {
        ArgumentNullException.ThrowIfNull(text);
        var cut = text.Length <= maxLength ? text.Length : maxLength;
        if (cut < text.Length && char.IsHighSurrogate(text[cut - 1]))
        {
            cut--;
        }

        var shown = new StringBuilder(cut + 32);
        foreach (var c in text.AsSpan(0, cut))
        {
            shown.Append(c switch
            {
                '\n' => "\\n",
                '\r' => "\\r",
                '\t' => "\\t",
                _ when char.IsControl(c) => string.Create(CultureInfo.InvariantCulture, $"\\u{(int)c:x4}"),
                _ => c.ToString(),
            });
        }

        if (cut < text.Length)
        {
            shown.Append(CultureInfo.InvariantCulture, $"… ({text.Length - cut} more characters)");
        }

        return shown.ToString();
    }
}
