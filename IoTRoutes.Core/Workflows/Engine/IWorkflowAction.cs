using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace IoTRoutes.Core.Workflows.Engine;

public enum ActionKind
{
    Trigger,
    Action,
}

/// <summary>
/// One type of node (Filter, RaiseAlert, OnMessage…): what the designer's palette and settings form show, which output
/// ports it has, and how its settings become a runnable node. One class each, registered in DI; the engine knows none of
/// them by name (except Join, whose waiting it does itself), so a new action plugs in without touching it.
/// </summary>
public interface IWorkflowAction
{
    /// <summary>The node type as stored (<c>Filter</c>).</summary>
    string Type { get; }

    ActionKind Kind { get; }

    /// <summary>The palette's group: Triggers, Flow, Data, Analysis, Alerts, Devices, Integration.</summary>
    string Category { get; }

    /// <summary>One line for the palette and the node's tooltip.</summary>
    string Description { get; }

    /// <summary>The settings the form shows, in order.</summary>
    IReadOnlyList<SettingDescriptor> Settings { get; }

    /// <summary>Its output ports besides <c>error</c>, given its settings (a Switch has one per case and <c>default</c>).</summary>
    IReadOnlyList<string> OutputPorts(JsonObject settings);

    /// <summary>A one-line summary of the node's settings for the canvas (<c>temp &gt; 30</c>).</summary>
    string Summarize(JsonObject settings);

    /// <summary>Reads and checks the settings; null when a problem was reported on <paramref name="node"/>.</summary>
    NodeRunner? Compile(NodeCompilation node);
}

/// <summary>How a setting is edited in the designer's form.</summary>
public enum SettingKind
{
    Text,
    Expression,
    Template,
    Number,
    Integer,
    Boolean,
    Choice,
    Script,
    FieldMap,
    List,
    Duration,
    Json,
}

/// <summary>What a setting's ids name.</summary>
public enum SettingReference
{
    Device,
    Entity,
    Profile,

    /// <summary>An HTTP communicator of the workflow's entity or an ancestor's (communicators are shared downwards).</summary>
    HttpCommunicator,

    /// <summary>A mail (SMTP) communicator of the workflow's entity or an ancestor's.</summary>
    MailCommunicator,

    /// <summary>An FTP, FTPS or SFTP communicator of the workflow's entity or an ancestor's.</summary>
    FileCommunicator,

    /// <summary>An MQTT bridge communicator of the workflow's entity or an ancestor's.</summary>
    MqttBridge,
}

public static class SettingReferences
{
    public static bool IsCommunicator(this SettingReference kind) => kind >= SettingReference.HttpCommunicator;

    /// <summary>The thing named, as a sentence says it: "device", "mail communicator".</summary>
    public static string Noun(this SettingReference kind) => kind switch
    {
        SettingReference.HttpCommunicator => "HTTP communicator",
        SettingReference.MailCommunicator => "mail communicator",
        SettingReference.FileCommunicator => "file transfer communicator",
        SettingReference.MqttBridge => "MQTT bridge",
        _ => kind.ToString().ToLowerInvariant(),
    };
}

/// <summary>One setting of an action, as its form shows it.</summary>
public sealed record SettingDescriptor(string Name, SettingKind Kind, string Label, bool Required = false, string? Help = null)
{
    public IReadOnlyList<string>? Choices { get; init; }

    /// <summary>
    /// What the setting is when the node does not set it (the action reads the same), or, for a required setting, what a
    /// new node starts with (Script's skeleton).
    /// </summary>
    public JsonNode? Default { get; init; }

    /// <summary>
    /// The shape of one entry of a <see cref="SettingKind.List"/> or <see cref="SettingKind.FieldMap"/>. A list of objects
    /// has one per member of an item (Switch's cases: <c>name</c>, <c>condition</c>); a list without fields holds texts.
    /// A FieldMap has two: its key (label) and its value (kind: Expression, or Text for Transform's rename).
    /// Left out of the catalog's JSON when null.
    /// </summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyList<SettingDescriptor>? Fields { get; init; }

    /// <summary>
    /// What the setting's ids name (a Text holds one, a List several): the designer offers a picker by name in the
    /// workflow's part of the entity tree. Left out of the catalog's JSON when null.
    /// </summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public SettingReference? Refers { get; init; }

    /// <summary>A FieldMap's key and value, as <see cref="Fields"/> describes them.</summary>
    public static IReadOnlyList<SettingDescriptor> MapOf(string keyLabel, SettingKind valueKind, string valueLabel) =>
        [new("key", SettingKind.Text, keyLabel, Required: true), new("value", valueKind, valueLabel, Required: true)];
}

/// <summary>The actions this process knows, by type.</summary>
public sealed class ActionCatalog
{
    private readonly Dictionary<string, IWorkflowAction> _actions;

    public ActionCatalog(IEnumerable<IWorkflowAction> actions)
    {
        _actions = new Dictionary<string, IWorkflowAction>(StringComparer.Ordinal);
        foreach (var action in actions)
        {
            if (!_actions.TryAdd(action.Type, action))
            {
                throw new InvalidOperationException($"Two workflow actions have the type {action.Type}.");
            }
        }
    }

    public IReadOnlyCollection<IWorkflowAction> All => _actions.Values;

    public IWorkflowAction? Find(string type) => _actions.GetValueOrDefault(type);
}
