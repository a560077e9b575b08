using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace IoTRoutes.Core.Communicators;

/// <summary>How communicator settings records are read from and written to the stored JSON: web names, enums as text.</summary>
public static class KindJson
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        Converters = { new JsonStringEnumConverter() },
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    /// <summary>The settings record, or a sentence saying which value could not be read.</summary>
    public static (T? Value, string? Problem) Read<T>(JsonObject settings) where T : class
    {
        try
        {
            return (settings.Deserialize<T>(Options) ?? throw new JsonException("empty"), null);
        }
        catch (JsonException e)
        {
            var at = e.Path is { Length: > 2 } path ? $" at {path[2..]}" : "";
            return (null, $"A setting{at} has the wrong type of value ({e.Message.Split('.')[0]}).");
        }
    }

    public static JsonObject Write<T>(T value) => JsonSerializer.SerializeToNode(value, Options)!.AsObject();

    /// <summary>The problems of two records side by side, the second's fields under <paramref name="prefix"/>-renamed keys.</summary>
    public static IReadOnlyDictionary<string, string[]> Merge(IReadOnlyDictionary<string, string[]> first, IReadOnlyDictionary<string, string[]> second, Func<string, string>? rename = null)
    {
        var all = new Dictionary<string, string[]>(first);
        foreach (var (key, value) in second)
        {
            var name = rename?.Invoke(key) ?? key;
            all[name] = all.TryGetValue(name, out var existing) ? [.. existing, .. value] : value;
        }

        return all;
    }
}
