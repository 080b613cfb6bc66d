namespace Bootstrap.Core.Rendering;

/// <summary>A template failed to parse or render; the message names the template and the line.</summary>
public sealed class TemplateRenderException : Exception
{
    internal TemplateRenderException(string templateName, int line, string reason, Exception? inner)
        : base($"template {templateName}, line {line}: {reason}", inner)
    {
        TemplateName = templateName;
        Line = line;
    }

    public string TemplateName { get; }

    /// <summary>The 1-based line of the error, or 0 when the template itself is missing.</summary>
    public int Line { get; }
}
