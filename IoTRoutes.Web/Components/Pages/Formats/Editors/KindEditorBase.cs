using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Components;

namespace IoTRoutes.Web.Components.Pages.Formats.Editors;

/// <summary>
/// A form over one kind's settings. The settings object stays the source of truth: the form reads it when it comes from
/// elsewhere (the JSON tab, a version loaded), and every edit sends a new object back, keeping the keys the form does not
/// show (a binary layout's discriminator layouts, say) as they were.
/// </summary>
public abstract class KindEditorBase : ComponentBase
{
    private JsonObject? _read;

    [Parameter, EditorRequired] public JsonObject Settings { get; set; } = [];

    [Parameter] public EventCallback<JsonObject> SettingsChanged { get; set; }

    protected override void OnParametersSet()
    {
        if (!ReferenceEquals(Settings, _read))
        {
            _read = Settings;
            Read(Settings);
        }
    }

    /// <summary>Fills the form from <paramref name="settings"/>.</summary>
    protected abstract void Read(JsonObject settings);

    /// <summary>Writes the form's values over <paramref name="settings"/>, a copy of the settings last read.</summary>
    protected abstract void Write(JsonObject settings);

    protected Task ChangedAsync()
    {
        var settings = (JsonObject)Settings.DeepClone();
        Write(settings);
        _read = settings;
        return SettingsChanged.InvokeAsync(settings);
    }

    protected static string? Text(JsonObject o, string key) => o[key] is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;

    protected static double? Number(JsonObject o, string key) => o[key] is JsonValue v && v.TryGetValue<double>(out var d) ? d : null;

    protected static int? Int(JsonObject o, string key) => o[key] is JsonValue v && v.TryGetValue<int>(out var i) ? i : null;

    protected static bool Bool(JsonObject o, string key) => o[key] is JsonValue v && v.TryGetValue<bool>(out var b) && b;

    /// <summary>Sets <paramref name="key"/>, or removes it when the value is the default, so the JSON stays short.</summary>
    protected static void Put(JsonObject o, string key, JsonNode? value, bool isDefault = false)
    {
        if (value is null || isDefault) o.Remove(key);
        else o[key] = value;
    }

    protected static void Put(JsonObject o, string key, string? value) => Put(o, key, string.IsNullOrWhiteSpace(value) ? null : JsonValue.Create(value.Trim()));

    protected static IEnumerable<JsonObject> Objects(JsonObject o, string key) => (o[key] as JsonArray)?.OfType<JsonObject>() ?? [];

    /// <summary>An enum lookup as one line: <c>0=off, 1=on</c>.</summary>
    protected static string? EnumText(JsonObject o) => o["enum"] is JsonObject e ? string.Join(", ", e.Select(p => $"{p.Key}={(p.Value is JsonValue v && v.TryGetValue<string>(out var label) ? label : p.Value?.ToJsonString())}")) : null;

    protected static JsonObject? EnumOf(string? text)
    {
        if (string.IsNullOrWhiteSpace(text)) return null;
        var labels = new JsonObject();
        foreach (var pair in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var i = pair.IndexOf('=');
            if (i > 0) labels[pair[..i].Trim()] = pair[(i + 1)..].Trim();
        }

        return labels.Count > 0 ? labels : null;
    }
}

/// <summary>One value rule as a table row: name, type, scale, offset, unit, required (JSON mappings and delimited columns).</summary>
public class ValueRow
{
    public string Name { get; set; } = "";
    public string Type { get; set; } = "Number";
    public double Scale { get; set; } = 1;
    public double Offset { get; set; }
    public string? Unit { get; set; }
    public bool Required { get; set; }

    protected void ReadRule(JsonObject o)
    {
        Name = o["name"] is JsonValue n && n.TryGetValue<string>(out var name) ? name : "";
        Type = o["type"] is JsonValue t && t.TryGetValue<string>(out var type) ? type : "Number";
        Scale = o["scale"] is JsonValue s && s.TryGetValue<double>(out var scale) ? scale : 1;
        Offset = o["offset"] is JsonValue f && f.TryGetValue<double>(out var offset) ? offset : 0;
        Unit = o["unit"] is JsonValue u && u.TryGetValue<string>(out var unit) ? unit : null;
        Required = o["required"] is JsonValue r && r.TryGetValue<bool>(out var required) && required;
    }

    protected void WriteRule(JsonObject o)
    {
        o["name"] = Name.Trim();
        if (Type != "Number") o["type"] = Type;
        if (Unit is { Length: > 0 }) o["unit"] = Unit;
        if (Scale != 1) o["scale"] = Scale;
        if (Offset != 0) o["offset"] = Offset;
        if (Required) o["required"] = true;
    }

    public static readonly string[] Types = ["Number", "Integer", "String", "Boolean"];
}
