using System.Text;

namespace Bootstrap.Core.Rendering;

/// <summary>
/// Writes one argument of a systemd <c>ExecStart=</c> line so that systemd hands the program exactly
/// that string: <c>%</c> becomes <c>%%</c> (specifiers), <c>$</c> becomes <c>$$</c> (environment
/// expansion), a lone <c>;</c> (command separator) becomes <c>\;</c>, and a value that is empty or holds
/// whitespace, quotes or backslashes is put in double quotes with <c>\\</c> and <c>\"</c> escaped.
/// Control characters have no place in a flag value and are refused.
/// </summary>
internal static class SystemdQuote
{
    public static string Argument(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        if (value.Any(char.IsControl))
        {
            throw new ArgumentException($"a systemd argument cannot hold control characters: {value.ReplaceLineEndings("\\n")}", nameof(value));
        }

        if (value == ";")
        {
            return "\\;";
        }

        var needsQuotes = value.Length == 0 || value.Any(c => char.IsWhiteSpace(c) || c is '"' or '\'' or '\\');
        var builder = new StringBuilder(value.Length + 2);
        if (needsQuotes)
        {
            builder.Append('"');
        }

        foreach (var c in value)
        {
            switch (c)
            {
                case '%':
                    builder.Append("%%");
                    break;
                case '$':
                    builder.Append("$$");
                    break;
                case '"' or '\\':
                    builder.Append('\\').Append(c);
                    break;
                default:
                    builder.Append(c);
                    break;
            }
        }

        if (needsQuotes)
        {
            builder.Append('"');
        }

        return builder.ToString();
    }
}
