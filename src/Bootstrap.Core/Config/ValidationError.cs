using System.Globalization;

namespace Bootstrap.Core.Config;

/// <summary>
/// One finding about a cluster file: where (file, 1-based line and column, field path such as
/// <c>spec.hosts[2].address</c>) and what was expected. Line and column are 0 when the finding
/// has no position (e.g. the file cannot be read); the path is empty for the document itself.
/// </summary>
public sealed record ValidationError(
    string File,
    int Line,
    int Column,
    string Path,
    string Message,
    ValidationSeverity Severity = ValidationSeverity.Error)
{
    /// <summary><c>FILE:LINE:COL: [warning: ]PATH: MESSAGE</c>, the form editors and CI logs link to.</summary>
    public override string ToString()
    {
        var where = Line > 0
            ? string.Create(CultureInfo.InvariantCulture, $"{File}:{Line}:{Column}: ")
            : File + ": ";
        var severity = Severity == ValidationSeverity.Warning ? "warning: " : string.Empty;
        var path = Path.Length > 0 ? Path + ": " : string.Empty;
        return where + severity + path + Message;
    }
}
