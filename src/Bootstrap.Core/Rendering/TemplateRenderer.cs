using System.Collections.Concurrent;
using Scriban;
using Scriban.Runtime;

namespace Bootstrap.Core.Rendering;

/// <summary>
/// Renders the Scriban templates embedded from templates/*.sbn. Variables are strict: a name the
/// model does not define is an error, never an empty string. Parse errors fail loudly too.
/// </summary>
internal static class TemplateRenderer
{
    private static readonly ConcurrentDictionary<string, Template> Cache = new(StringComparer.Ordinal);

    /// <param name="name">Template file name under templates/, e.g. "kubeconfig.sbn".</param>
    /// <param name="model">Top-level variables by their template name.</param>
    public static string Render(string name, IReadOnlyDictionary<string, object?> model)
    {
        ArgumentNullException.ThrowIfNull(model);
        var template = Cache.GetOrAdd(name, Load);
        var globals = new ScriptObject();
        foreach (var (key, value) in model)
        {
            globals.SetValue(key, value, readOnly: true);
        }

        var context = new TemplateContext
        {
            StrictVariables = true,
            EnableRelaxedMemberAccess = false,
            MemberRenamer = member => member.Name,
        };
        context.PushGlobal(globals);
        return template.Render(context);
    }

    private static Template Load(string name)
    {
        var resource = "templates/" + name;
        using var stream = typeof(TemplateRenderer).Assembly.GetManifestResourceStream(resource)
            ?? throw new InvalidOperationException($"Template {resource} is not embedded in {typeof(TemplateRenderer).Assembly.GetName().Name}.");
        using var reader = new StreamReader(stream);
        var template = Template.Parse(reader.ReadToEnd(), resource);
        if (template.HasErrors)
        {
            throw new InvalidOperationException($"Template {resource} does not parse: {string.Join("; ", template.Messages)}");
        }

        return template;
    }
}
