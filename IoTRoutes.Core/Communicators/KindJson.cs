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
            if (e.Path is not { Length: > 2 } path) return (null, "The settings could not be read: an object of settings is expected.");
            var name = path[2..];
            return (null, Expected(typeof(T), name) is { } expected ? $"{name} must be {expected}." : $"{name} has the wrong type of value.");
        }
    }

    /// <summary>What a top-level setting takes, in words: "one of None, ExplicitTls, ImplicitTls", "a number".</summary>
    private static string? Expected(Type settings, string name)
    {
        var property = settings.GetProperties().FirstOrDefault(p => string.Equals(p.Name, name, StringComparison.OrdinalIgnoreCase));
        if (property is null) return null;
        var type = Nullable.GetUnderlyingType(property.PropertyType) ?? property.PropertyType;
        if (type.IsEnum) return $"one of {string.Join(", ", Enum.GetNames(type))}";
        if (type == typeof(string)) return "a text";
        if (type == typeof(bool)) return "true or false";
        if (type == typeof(int) || type == typeof(long) || type == typeof(double)) return "a number";
        if (type.IsAssignableTo(typeof(System.Collections.IEnumerable))) return type.IsGenericType && type.GetGenericArguments().Length == 2 ? "an object" : "a list";
        return "an object";
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
