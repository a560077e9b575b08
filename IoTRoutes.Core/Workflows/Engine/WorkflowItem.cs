using System.Text.Json.Nodes;

namespace IoTRoutes.Core.Workflows.Engine;

/// <summary>
/// What flows along a workflow's links: the fields of a message (or an event), the device it is about and where it came
/// from. Immutable: an action that changes fields makes a new item, so parallel branches never see each other's changes.
/// Field values are .NET values (double, long, string, bool, null) or JSON nodes for objects and arrays.
/// </summary>
public sealed class WorkflowItem
{
    public WorkflowItem(IReadOnlyDictionary<string, object?> fields, DeviceContext? device = null, MessageContext? message = null, string? trigger = null)
    {
        Fields = fields;
        Device = device;
        Message = message;
        Trigger = trigger;
    }

    public IReadOnlyDictionary<string, object?> Fields { get; }

    public DeviceContext? Device { get; }

    public MessageContext? Message { get; }

    /// <summary>What started the run: <c>message</c>, <c>connected</c>, <c>disconnected</c>, <c>test</c>.</summary>
    public string? Trigger { get; }

    /// <summary>The same item with other fields.</summary>
    public WorkflowItem WithFields(IReadOnlyDictionary<string, object?> fields) => new(fields, Device, Message, Trigger);

    /// <summary>A copy of the fields to change, for <see cref="WithFields"/>.</summary>
    public Dictionary<string, object?> CopyFields() => new(Fields, StringComparer.Ordinal);

    /// <summary>
    /// As <see cref="CopyFields()"/>, with room for <paramref name="added"/> more fields: adding them does not grow the
    /// copy again. The same fields in the same order.
    /// </summary>
    public Dictionary<string, object?> CopyFields(int added)
    {
        if (Fields is FieldList list) return list.ToDictionary(added);
        var copy = new Dictionary<string, object?>(Fields.Count + added, StringComparer.Ordinal);
        if (Fields is Dictionary<string, object?> fields)
        {
            foreach (var (name, value) in fields) copy[name] = value; // the struct enumerator
        }
        else
        {
            foreach (var (name, value) in Fields) copy[name] = value;
        }

        return copy;
    }

    /// <summary>
    /// A copy of the fields to change, of the same kind as this item's (a message's few fields stay a
    /// <see cref="FieldList"/>), with room for <paramref name="added"/> more; for <see cref="WithFields"/> once changed.
    /// </summary>
    public IDictionary<string, object?> EditFields(int added = 0) =>
        Fields is FieldList list && list.Count + added <= FieldList.MostFields ? list.Copy(added) : CopyFields(added);

    public object? Field(string name) => Fields.TryGetValue(name, out var value) ? value : null;

    /// <summary>The fields as a JSON object (traces, stored telemetry).</summary>
    public JsonObject FieldsAsJson()
    {
        var json = new JsonObject();
        foreach (var (name, value) in Fields)
        {
            json[name] = WorkflowValues.ToJson(value);
        }

        return json;
    }

    /// <summary>The whole item as a trace shows it.</summary>
    public JsonObject ToJson()
    {
        var json = new JsonObject { ["fields"] = FieldsAsJson() };
        if (Device is { } device)
        {
            json["device"] = new JsonObject { ["id"] = device.Id, ["name"] = device.Name, ["key"] = device.Key, ["profile"] = device.ProfileName };
        }

        if (Message is { } message)
        {
            json["message"] = new JsonObject { ["id"] = message.Id, ["topic"] = message.Topic, ["receivedAt"] = message.ReceivedAt };
        }

        if (Trigger is not null) json["trigger"] = Trigger;
        return json;
    }

    public static WorkflowItem FromJson(JsonObject fields, DeviceContext? device = null, MessageContext? message = null, string? trigger = null)
    {
        var values = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (var (name, node) in fields)
        {
            values[name] = WorkflowValues.FromJson(node);
        }

        return new WorkflowItem(values, device, message, trigger);
    }
}

/// <summary>The device an item is about, as expressions and templates see it (<c>device.name</c>).</summary>
public sealed record DeviceContext(Guid Id, string Name, string Key, Guid EntityId, Guid? ProfileId, string? ProfileName, IReadOnlyDictionary<string, object?> Attributes);

/// <summary>The stored message an item comes from.</summary>
public sealed record MessageContext(Guid Id, string Topic, DateTimeOffset ReceivedAt, DateTimeOffset? DeviceTime);

/// <summary>Field values between .NET and JSON.</summary>
public static class WorkflowValues
{
    private static readonly object True = true;
    private static readonly object False = false;

    /// <summary>A boolean as a field's value, boxed once for all items.</summary>
    public static object Box(bool value) => value ? True : False;

    public static JsonNode? ToJson(object? value) => value switch
    {
        null => null,
        JsonNode node => node.DeepClone(),
        double d when !double.IsFinite(d) => null,
        double d => JsonValue.Create(d),
        long l => JsonValue.Create(l),
        int i => JsonValue.Create(i),
        decimal m => JsonValue.Create(m),
        bool b => JsonValue.Create(b),
        string s => JsonValue.Create(s),
        DateTimeOffset t => JsonValue.Create(t),
        DateTime t => JsonValue.Create(t),
        _ => JsonValue.Create(value.ToString()),
    };

    /// <summary>Numbers become double (expressions compute in doubles), text string, objects and arrays stay JSON.</summary>
    public static object? FromJson(JsonNode? node)
    {
        if (node is not JsonValue value) return node?.DeepClone();
        switch (value.GetValueKind())
        {
            case System.Text.Json.JsonValueKind.String:
                return value.GetValue<string>();
            case System.Text.Json.JsonValueKind.True:
                return true;
            case System.Text.Json.JsonValueKind.False:
                return false;
            case System.Text.Json.JsonValueKind.Number:
                return NumberOf(value);
            default:
                return null;
        }
    }

    /// <summary>A value as a number, when it is one or reads as one.</summary>
    public static double? AsNumber(object? value) => value switch
    {
        double d => d,
        long l => l,
        int i => i,
        decimal m => (double)m,
        float f => f,
        bool b => b ? 1 : 0,
        string s when double.TryParse(s, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var parsed) => parsed,
        JsonValue v when v.GetValueKind() == System.Text.Json.JsonValueKind.Number => NumberOf(v),
        _ => null,
    };

    /// <summary>
    /// A JSON number as a double, whether it was parsed from text or built in code from an int or a long (such a node
    /// refuses <c>GetValue&lt;double&gt;</c>).
    /// </summary>
    private static double NumberOf(JsonValue value) =>
        value.TryGetValue<double>(out var number)
            ? number
            : double.Parse(value.ToJsonString(), System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture);
}
