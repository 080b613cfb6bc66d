using System.Text;

namespace Bootstrap.Cli;

/// <summary>Rows as aligned columns, the way Go's tabwriter prints kubectl's and kubeadm's tables: each column but the last padded.</summary>
internal static class TextTable
{
    /// <param name="minimumWidth">The least width of a padded column, its gap included.</param>
    /// <param name="gap">Spaces after the widest cell of a column.</param>
    public static string Format(IReadOnlyList<string[]> rows, int minimumWidth, int gap)
    {
        ArgumentNullException.ThrowIfNull(rows);
        var widths = Enumerable.Range(0, rows[0].Length - 1).Select(c => Math.Max(minimumWidth, rows.Max(r => r[c].Length) + gap)).ToArray();
        var text = new StringBuilder();
        foreach (var row in rows)
        {
            for (var c = 0; c < row.Length - 1; c++)
            {
                text.Append(row[c].PadRight(widths[c]));
            }

            text.Append(row[^1]).Append('\n');
        }

        return text.ToString();
    }
}
