using Fluid;
using IoTRoutes.Core.Workflows.Alerts;
using IoTRoutes.Core.Workflows.Languages;

namespace IoTRoutes.Core.Communicators.Notifications;

/// <summary>
/// The Liquid of notification rules (the workflows' parser and limits): checked when a rule is saved, rendered when an
/// alert event matches it, with <c>alert</c> (id, type, severity, message, count, event, at, by) and <c>device</c> (id,
/// name, key) in scope.
/// </summary>
public static class NotificationTemplates
{
    public const string DefaultSubject = "[{{ alert.severity }}] {{ alert.type }} {{ alert.event | downcase }} on {{ device.name }}";
    public const string DefaultBody = "{{ alert.message }}\n\nDevice: {{ device.name }} ({{ device.key }})\nSeverity: {{ alert.severity }}\n" +
                                      "Event: {{ alert.event }} at {{ alert.at }}{% if alert.by %} by {{ alert.by }}{% endif %}\nCount: {{ alert.count }}";

    /// <summary>Why the template does not parse (with the parser's position), or null.</summary>
    public static string? Problem(string? template) =>
        string.IsNullOrEmpty(template) || LiquidTemplates.Parser.TryParse(template, out _, out var error) ? null : $"The Liquid template does not parse: {error}";

    /// <summary>The text for this alert event; an empty template gives <paramref name="fallback"/>'s text.</summary>
    /// <exception cref="CommunicatorException">The template does not parse or exceeds the limits (steps, output).</exception>
    public static string Render(string template, string fallback, AlertEvent alert, NotifiedDevice device)
    {
        var text = string.IsNullOrEmpty(template) ? fallback : template;
        if (!LiquidTemplates.Parser.TryParse(text, out var parsed, out var error))
            throw new CommunicatorException(ConnectionFailure.Other, $"The notification template does not parse: {error}");
        var values = new Dictionary<string, object?>
        {
            ["alert"] = new Dictionary<string, object?>
            {
                ["id"] = alert.AlertId.ToString("D"), ["type"] = alert.Type, ["severity"] = alert.Severity.ToString(), ["message"] = alert.Message,
                ["count"] = alert.Count, ["event"] = alert.Kind.ToString(), ["at"] = alert.At.ToString("yyyy-MM-dd HH:mm:ss 'UTC'"), ["by"] = alert.By,
            },
            ["device"] = new Dictionary<string, object?> { ["id"] = device.Id.ToString("D"), ["name"] = device.Name, ["key"] = device.Key },
        };
        try
        {
            return parsed.Render(new TemplateContext(values, LiquidTemplates.Options), NullEncoder.Default);
        }
        catch (InvalidOperationException e)
        {
            throw new CommunicatorException(ConnectionFailure.Other, $"The notification template could not be rendered: {e.Message}", e);
        }
    }
}

public sealed record NotifiedDevice(Guid Id, string Name, string Key);
