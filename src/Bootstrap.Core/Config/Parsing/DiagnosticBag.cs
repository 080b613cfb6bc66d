using YamlDotNet.Core;

namespace Bootstrap.Core.Config.Parsing;

/// <summary>Collects every finding of one load, so the user sees all of them at once.</summary>
internal sealed class DiagnosticBag(string file)
{
    private readonly List<ValidationError> items = [];

    public bool HasErrors => ErrorCount > 0;

    /// <summary>Errors so far; a reader compares it before and after to know whether its part was valid.</summary>
    public int ErrorCount => items.Count(i => i.Severity == ValidationSeverity.Error);

    public void Error(Mark at, string path, string message) => Add(at, path, message, ValidationSeverity.Error);

    public void Warning(Mark at, string path, string message) => Add(at, path, message, ValidationSeverity.Warning);

    /// <summary>A finding about the file as a whole, without a position.</summary>
    public void FileError(string message) => items.Add(new ValidationError(file, 0, 0, string.Empty, message));

    public IReadOnlyList<ValidationError> ToSortedList() =>
        items.OrderBy(i => i.Line).ThenBy(i => i.Column).ThenBy(i => i.Severity).ToArray();

    // Paths are made of the user's keys, so they are capped like any quoted input.
    private void Add(Mark at, string path, string message, ValidationSeverity severity) =>
        items.Add(new ValidationError(file, checked((int)at.Line), checked((int)at.Column), InputQuote.Cap(path), message, severity));
}
