using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using IoTRoutes.Core.Workflows.Engine;

namespace IoTRoutes.Core.Workflows.Triggers;

public enum JobParameterType
{
    Text,
    Number,
    Integer,
    Boolean,
    Date,
    Json,
}

/// <summary>One parameter a Manual trigger declares; <see cref="Default"/> already of its type.</summary>
public sealed record JobParameter(string Name, JobParameterType Type, JsonNode? Default, bool Required);

/// <summary>
/// The parameters of a manual run: declared on the trigger, given by the caller, checked (unknown names, missing required
/// ones, values of the wrong type: each reported at <c>parameters.&lt;name&gt;</c>) and completed with defaults.
/// </summary>
public sealed class JobParameters(IReadOnlyList<JobParameter> declared)
{
    public const int MaxParameters = 50;

    public static readonly JobParameters None = new([]);

    public IReadOnlyList<JobParameter> Declared { get; } = declared;

    /// <summary>The run's fields, or the errors by field (<c>parameters.start</c>).</summary>
    public (JsonObject? Fields, Dictionary<string, string[]> Errors) Check(JsonObject? given)
    {
        var errors = new Dictionary<string, string[]>();
        var fields = new JsonObject();
        foreach (var (name, _) in given ?? [])
        {
            if (!Declared.Any(p => p.Name == name)) errors[$"parameters.{name}"] = [$"The job has no parameter {name}."];
        }

        foreach (var parameter in Declared)
        {
            var value = given?[parameter.Name];
            if (value is null)
            {
                if (parameter.Default is { } fallback) fields[parameter.Name] = fallback.DeepClone();
                else if (parameter.Required) errors[$"parameters.{parameter.Name}"] = [$"{parameter.Name} is required."];
                continue;
            }

            if (Convert(value, parameter.Type, out var converted) is { } problem) errors[$"parameters.{parameter.Name}"] = [$"{parameter.Name} {problem}"];
            else fields[parameter.Name] = converted;
        }

        return errors.Count > 0 ? (null, errors) : (fields, errors);
    }

    internal static JobParameters Read(NodeCompilation node)
    {
        if (node.Array("parameters") is not { } list) return None;
        if (list.Count > MaxParameters) node.Problem("parameters", $"At most {MaxParameters} parameters.");
        var declared = new List<JobParameter>();
        for (var i = 0; i < list.Count; i++)
        {
            var place = $"parameters[{i}]";
            if (list[i] is not JsonObject entry)
            {
                node.Problem("parameters", $"{place}: an object {{\"name\",\"type\",\"default\",\"required\"}} is expected.");
                continue;
            }

            var name = entry["name"] is JsonValue n && n.TryGetValue<string>(out var text) ? text.Trim() : "";
            if (name.Length is 0 or > 64 || !name.All(c => char.IsAsciiLetterOrDigit(c) || c == '_') || char.IsAsciiDigit(name[0]))
            {
                node.Problem("parameters", $"{place}: a name of letters, digits and _ (not first), at most 64, is expected.");
                continue;
            }

            if (declared.Any(p => p.Name == name))
            {
                node.Problem("parameters", $"{place}: {name} is declared twice.");
                continue;
            }

            var typeText = entry["type"] is JsonValue t && t.TryGetValue<string>(out var tt) ? tt : nameof(JobParameterType.Text);
            if (!Enum.TryParse<JobParameterType>(typeText, ignoreCase: true, out var type) || !Enum.IsDefined(type))
            {
                node.Problem("parameters", $"{place}: type is one of {string.Join(", ", Enum.GetNames<JobParameterType>())}.");
                continue;
            }

            var required = entry["required"] is JsonValue r && r.TryGetValue<bool>(out var yes) && yes;
            JsonNode? fallback = null;
            if (entry["default"] is { } given && !(given is JsonValue empty && empty.TryGetValue<string>(out var blank) && blank.Length == 0))
            {
                if (Convert(given, type, out fallback) is { } problem) node.Problem("parameters", $"{place}: the default of {name} {problem}");
            }

            declared.Add(new JobParameter(name, type, fallback, required));
        }

        return new JobParameters(declared);
    }

    /// <summary>The value as its type (texts that read as one are taken: a form sends texts); why not, otherwise.</summary>
    private static string? Convert(JsonNode value, JobParameterType type, out JsonNode? converted)
    {
        converted = null;
        var text = value is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;
        switch (type)
        {
            case JobParameterType.Text:
                if (text is null) return "is a text.";
                converted = text;
                return null;
            case JobParameterType.Number:
                if (value is JsonValue nv && nv.TryGetValue<double>(out var d) && double.IsFinite(d)) converted = d;
                else if (text is not null && double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var parsed) && double.IsFinite(parsed)) converted = parsed;
                else return "is a number.";
                return null;
            case JobParameterType.Integer:
                if (value is JsonValue iv && iv.TryGetValue<long>(out var l)) converted = l;
                else if (value is JsonValue dv && dv.TryGetValue<double>(out var whole) && whole == Math.Floor(whole) && Math.Abs(whole) < 9e15) converted = (long)whole;
                else if (text is not null && long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var li)) converted = li;
                else return "is a whole number.";
                return null;
            case JobParameterType.Boolean:
                if (value is JsonValue bv && bv.TryGetValue<bool>(out var b)) converted = b;
                else if (text is not null && bool.TryParse(text, out var tb)) converted = tb;
                else return "is true or false.";
                return null;
            case JobParameterType.Date:
                if (text is not null && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var at))
                {
                    converted = at.ToString("O", CultureInfo.InvariantCulture);
                    return null;
                }

                return "is a date and time (2026-12-01T07:00:00Z, or 2026-12-01).";
            case JobParameterType.Json:
                if (text is not null)
                {
                    try
                    {
                        converted = JsonNode.Parse(text);
                        return null;
                    }
                    catch (JsonException)
                    {
                        converted = text;
                        return null; // a plain text is JSON's string too
                    }
                }

                converted = value.DeepClone();
                return null;
            default:
                return "has an unknown type.";
        }
    }
}
