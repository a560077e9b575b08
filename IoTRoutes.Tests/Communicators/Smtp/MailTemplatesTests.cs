using System.Text.Json.Nodes;
using IoTRoutes.Core.Communicators;
using IoTRoutes.Core.Communicators.Smtp;

namespace IoTRoutes.Tests.Communicators.Smtp;

public sealed class MailTemplatesTests
{
    private readonly MailTemplates _templates = new();

    [Fact]
    public void Fields_are_reachable_by_name_and_under_fields_and_json_values_read_as_values()
    {
        var (template, _) = _templates.Compile("{{ temp }} / {{ fields.temp }}", "{{ gps.lat }} {% for t in tags %}[{{ t }}]{% endfor %} {{ alert.severity | default: 'none' }}", null);

        var mail = template!.Render(new MailTemplateModel(new Dictionary<string, object?>
        {
            ["temp"] = 21.5, ["gps"] = JsonNode.Parse("{\"lat\":47.1}"), ["tags"] = JsonNode.Parse("[\"a\",\"b\"]"),
        }));

        Assert.Equal("21.5 / 21.5", mail.Subject);
        Assert.Equal("47.1 [a][b] none", mail.TextBody);
        Assert.Null(mail.HtmlBody);
    }

    [Fact]
    public void A_template_that_does_not_parse_is_named_with_the_parser_error()
    {
        var (template, problems) = _templates.Compile("ok", "{% if x %}never closed", "{{ unclosed");

        Assert.Null(template);
        Assert.Equal(["htmlBody", "textBody"], problems.Keys.Order());
        Assert.StartsWith("Not a valid template: ", problems["textBody"].Single());
    }

    [Fact]
    public void A_template_beyond_the_limits_fails_with_a_clear_error()
    {
        var (template, _) = _templates.Compile("x", "{% for i in (1..100000) %}{% for j in (1..100000) %}.{% endfor %}{% endfor %}", null);

        var e = Assert.Throws<CommunicatorException>(() => template!.Render(new MailTemplateModel(new Dictionary<string, object?>())));

        Assert.StartsWith("The mail template could not be rendered: ", e.Message);
    }
}
