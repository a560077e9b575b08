using Fluid;
using IoTRoutes.Core.Workflows.Alerts;

namespace IoTRoutes.Core.Communicators.Notifications;

/// <summary>
/// The Liquid of notification rules: checked when a rule is saved, rendered when an alert event matches it, with
/// <c>alert</c> (type, severity, message, count, event, at, by, id) and <c>device</c> (name, key, id) in scope.
/// </summary>
public static class NotificationTemplates
{
    public const string DefaultSubject = "[{{ alert.severity }}] {{ alert.type }} {{ alert.event | downcase }} on {{ device.name }}";
    public const string DefaultBody = "{{ alert.message }}\n\nDevice: {{ device.name }} ({{ device.key }})\nSeverity: {{ alert.severity }}\n" +
                                      "Event: {{ alert.event }} at {{ alert.at }}{% if alert.by %} by {{ alert.by }}{% endif %}\nCount: {{ alert.count }}";

    private static readonly FluidParser Parser = new();
    private static readonly TemplateOptions Options = CreateOptions();

    /// <summary>Why the template does not parse (with Fluid's position), or null.</summary>
    public static string? Problem(string? template) =>
        string.IsNullOrEmpty(template) || Parser.TryParse(template, out _, out var error) ? null : $"The Liquid template does not parse: {error}";

    public static string Render(string template, AlertEvent alert, NotifiedDevice device)
    {
        if (!Parser.TryParse(template, out var parsed, out var error)) return $"(template error: {error})";
        var context = new TemplateContext(Options);
        context.SetValue("alert", new Dictionary<string, object?>
        {
            ["id"] = alert.AlertId.ToString("D"), ["type"] = alert.Type, ["severity"] = alert.Severity.ToString(), ["message"] = alert.Message,
            ["count"] = alert.Count, ["event"] = alert.Kind.ToString(), ["at"] = alert.At.ToString("yyyy-MM-dd HH:mm:ss 'UTC'"), ["by"] = alert.By,
        });
        context.SetValue("device", new Dictionary<string, object?> { ["id"] = device.Id.ToString("D"), ["name"] = device.Name, ["key"] = device.Key });
        return parsed.Render(context);
    }

    private static TemplateOptions CreateOptions()
    {
        var options = new TemplateOptions();
        options.MemberAccessStrategy.MemberNameStrategy = MemberNameStrategies.CamelCase;
        return options;
    }
}

public sealed record NotifiedDevice(Guid Id, string Name, string Key);
