using System.Collections.Concurrent;
using System.Reflection;
using Scriban;
using Scriban.Runtime;
using Scriban.Parsing;
using Scriban.Syntax;

namespace Bootstrap.Core.Rendering;

/// <summary>
/// Renders the Scriban templates embedded in Core (<c>templates/*.sbn</c>) strictly: a parse error,
/// an undefined variable or an undefined member is a <see cref="TemplateRenderException"/> naming the
/// template and line. Model members are exposed in snake_case (<c>VirtualRouterId</c> → <c>virtual_router_id</c>).
/// The same template and model always give the same text, with <c>\n</c> line endings.
/// </summary>
internal sealed class TemplateRenderer
{
    private const string ResourcePrefix = "templates/";

    private readonly Assembly _assembly;
    private readonly ConcurrentDictionary<string, Template> _parsed = new(StringComparer.Ordinal);

    public TemplateRenderer()
        : this(typeof(TemplateRenderer).Assembly)
    {
    }

    /// <summary>Reads templates from another assembly's resources named <c>templates/NAME</c> (tests use this).</summary>
    internal TemplateRenderer(Assembly assembly) => _assembly = assembly;

    /// <summary>The names of every embedded template, e.g. <c>etcd.service.sbn</c>, sorted.</summary>
    public IReadOnlyList<string> TemplateNames =>
        _assembly.GetManifestResourceNames()
            .Where(n => n.StartsWith(ResourcePrefix, StringComparison.Ordinal))
            .Select(n => n[ResourcePrefix.Length..])
            .Order(StringComparer.Ordinal)
            .ToArray();

    /// <summary>Renders <paramref name="templateName"/> (e.g. <c>etcd.service.sbn</c>) with the public properties of <paramref name="model"/> as globals.</summary>
    public string Render(string templateName, object model)
    {
        ArgumentNullException.ThrowIfNull(model);
        var template = _parsed.GetOrAdd(templateName, Parse);

        var globals = new ScriptObject();
        globals.Import(model);
        var context = new TemplateContext
        {
            StrictVariables = true,
            EnableRelaxedMemberAccess = false,
            EnableRelaxedTargetAccess = false,
            EnableRelaxedIndexerAccess = false,
            EnableNullIndexer = false,
            LoopLimit = 10_000,
            NewLine = "\n",
        };
        context.PushGlobal(globals);

        try
        {
            return template.Render(context);
        }
        catch (ScriptRuntimeException e)
        {
            throw new TemplateRenderException(templateName, e.Span.Start.Line + 1, e.OriginalMessage, e);
        }
    }

    private Template Parse(string templateName)
    {
        var text = ReadResource(templateName);
        var template = Template.Parse(text, templateName);
        if (template.HasErrors)
        {
            var first = template.Messages.First(m => m.Type == ParserMessageType.Error);
            var all = string.Join("; ", template.Messages.Where(m => m.Type == ParserMessageType.Error).Select(m => m.Message));
            throw new TemplateRenderException(templateName, first.Span.Start.Line + 1, all, inner: null);
        }

        return template;
    }

    private string ReadResource(string templateName)
    {
        using var stream = _assembly.GetManifestResourceStream(ResourcePrefix + templateName)
            ?? throw new TemplateRenderException(templateName, line: 0, "no such embedded template", inner: null);
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd().ReplaceLineEndings("\n");
    }
}
