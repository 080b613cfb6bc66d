using Bootstrap.Core.Rendering;

namespace Bootstrap.Core.Tests.Rendering;

/// <summary>The renderer against small templates embedded in this test assembly.</summary>
public sealed class TemplateRendererTests
{
    private static readonly TemplateRenderer Renderer = new(typeof(TemplateRendererTests).Assembly);

    private static readonly object Model = new
    {
        Name = "lab",
        Endpoint = new { Host = "192.168.56.10", Port = 6443 },
        Peers = new[] { "192.168.56.11", "192.168.56.12" },
    };

    [Fact]
    public void Renders_snake_case_members_and_loops_with_unix_newlines() =>
        Assert.Equal("name: lab\nport: 6443\npeer 192.168.56.11\npeer 192.168.56.12\n", Renderer.Render("good.sbn", Model));

    [Fact]
    public void Same_model_renders_the_same_text_every_time() =>
        Assert.Equal(Renderer.Render("good.sbn", Model), Renderer.Render("good.sbn", Model));

    [Fact]
    public void An_undefined_variable_throws_naming_the_template_and_line()
    {
        var e = Assert.Throws<TemplateRenderException>(() => Renderer.Render("undefined-variable.sbn", Model));

        Assert.Equal("undefined-variable.sbn", e.TemplateName);
        Assert.Equal(2, e.Line);
        Assert.Contains("template undefined-variable.sbn, line 2", e.Message, StringComparison.Ordinal);
        Assert.Contains("nobody", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_undefined_member_throws_naming_the_template_and_line()
    {
        var e = Assert.Throws<TemplateRenderException>(() => Renderer.Render("undefined-member.sbn", Model));

        Assert.Equal("undefined-member.sbn", e.TemplateName);
        Assert.Equal(3, e.Line);
        Assert.Contains("prot", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_syntax_error_throws_naming_the_template_and_line()
    {
        var e = Assert.Throws<TemplateRenderException>(() => Renderer.Render("syntax-error.sbn", Model));

        Assert.Equal("syntax-error.sbn", e.TemplateName);
        Assert.Equal(2, e.Line);
    }

    [Fact]
    public void A_missing_template_throws_naming_it()
    {
        var e = Assert.Throws<TemplateRenderException>(() => Renderer.Render("nope.sbn", Model));

        Assert.Equal("nope.sbn", e.TemplateName);
        Assert.Contains("no such embedded template", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Lists_the_embedded_templates() =>
        Assert.Equal(["good.sbn", "syntax-error.sbn", "undefined-member.sbn", "undefined-variable.sbn"], Renderer.TemplateNames);
}
