using System.Globalization;
using IoTRoutes.Core.Messaging.Lifecycle;

namespace IoTRoutes.Core.Messaging.Explorer;

/// <summary>
/// Which messages an operator looks for: of a device, of the devices of an entity (and the entities below it) or of a
/// profile, on a topic (MQTT filter), in a state, with a rejection reason containing a text (any case), with a decoded
/// field condition, received within a time range. The explorer page, its API and its export share it.
/// </summary>
public sealed record MessageFilter(
    Guid? DeviceId = null,
    Guid? EntityId = null,
    Guid? ProfileId = null,
    TopicFilter? Topic = null,
    MessageState? State = null,
    string? Reason = null,
    FieldCondition? Field = null,
    DateTimeOffset? From = null,
    DateTimeOffset? To = null)
{
    public const int MaxReasonLength = 1024;

    /// <summary>What the filter asks, for the audit entry of an export.</summary>
    public override string ToString()
    {
        var parts = new List<string>();
        void Add(string name, object? value)
        {
            if (value is not null) parts.Add($"{name}: {value}");
        }

        Add("device", DeviceId);
        Add("entity", EntityId);
        Add("profile", ProfileId);
        Add("topic", Topic);
        Add("state", State);
        Add("reason", Reason);
        Add("field", Field);
        Add("from", From?.UtcDateTime.ToString("O", CultureInfo.InvariantCulture));
        Add("to", To?.UtcDateTime.ToString("O", CultureInfo.InvariantCulture));
        return parts.Count == 0 ? "all messages" : string.Join("; ", parts);
    }
}

/// <summary>The filter's parameters as a request gives them (text); <see cref="Parse"/> names each bad one.</summary>
public sealed record MessageFilterText(
    string? DeviceId = null,
    string? EntityId = null,
    string? ProfileId = null,
    string? Topic = null,
    string? State = null,
    string? Reason = null,
    string? Field = null,
    string? Op = null,
    string? Value = null,
    string? From = null,
    string? To = null)
{
    public (MessageFilter? Filter, Dictionary<string, string[]> Errors) Parse()
    {
        var errors = new Dictionary<string, string[]>();
        var deviceId = Id(DeviceId, "deviceId", errors);
        var entityId = Id(EntityId, "entityId", errors);
        var profileId = Id(ProfileId, "profileId", errors);

        TopicFilter? topic = null;
        if (!string.IsNullOrEmpty(Topic))
        {
            (topic, var error) = TopicFilter.Parse(Topic);
            if (error is not null) errors["topic"] = [error];
        }

        MessageState? state = null;
        if (!string.IsNullOrEmpty(State))
        {
            if (Enum.TryParse<MessageState>(State, ignoreCase: true, out var s) && Enum.IsDefined(s) && !int.TryParse(State, out _))
            {
                state = s;
            }
            else
            {
                errors["state"] = [$"state is one of {string.Join(", ", Enum.GetNames<MessageState>())}."];
            }
        }

        if (Reason is { Length: > MessageFilter.MaxReasonLength })
        {
            errors["reason"] = [$"reason has at most {MessageFilter.MaxReasonLength} characters."];
        }

        var (field, fieldErrors) = FieldCondition.Parse(Field, Op, Value);
        foreach (var (key, value) in fieldErrors) errors[key] = value;

        var from = Time(From, "from", errors);
        var to = Time(To, "to", errors);
        if (from is { } f && to is { } t && f > t)
        {
            errors["from"] = ["from must not be later than to."];
        }

        return errors.Count > 0
            ? (null, errors)
            : (new MessageFilter(deviceId, entityId, profileId, topic, state, string.IsNullOrWhiteSpace(Reason) ? null : Reason.Trim(), field, from, to), errors);
    }

    private static Guid? Id(string? text, string name, Dictionary<string, string[]> errors)
    {
        if (string.IsNullOrEmpty(text)) return null;
        if (Guid.TryParse(text, out var id)) return id;
        errors[name] = [$"{name} is not an id (a GUID such as 0190f6a4-5b5e-7c3d-8e2f-1a2b3c4d5e6f)."];
        return null;
    }

    private static DateTimeOffset? Time(string? text, string name, Dictionary<string, string[]> errors)
    {
        if (string.IsNullOrEmpty(text)) return null;
        if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at)) return at.ToUniversalTime();
        errors[name] = [$"{name} is not a time (ISO 8601, such as 2026-01-31T08:00:00Z)."];
        return null;
    }
}

/// <summary>One page of the explorer: a filter, the cursor of the previous page's answer, how many at most.</summary>
public sealed record MessageExplorerQuery(MessageFilter Filter, Guid? Cursor = null, int Limit = MessageExplorerQuery.DefaultLimit)
{
    public const int DefaultLimit = 50;

    /// <summary>A page carries the payloads: this bounds what one request reads.</summary>
    public const int MaxLimit = 500;

    /// <summary>The query of a request's text parameters, or errors naming each bad one.</summary>
    public static (MessageExplorerQuery? Query, Dictionary<string, string[]> Errors) Parse(MessageFilterText filter, string? cursor, string? limit)
    {
        var (parsed, errors) = filter.Parse();
        var size = DefaultLimit;
        if (!string.IsNullOrEmpty(limit) && (!int.TryParse(limit, NumberStyles.None, CultureInfo.InvariantCulture, out size) || size < 1 || size > MaxLimit))
        {
            errors["limit"] = [$"limit must be between 1 and {MaxLimit}."];
        }

        Guid? after = null;
        if (!string.IsNullOrEmpty(cursor) && (after = ExplorerCursor.Decode(cursor)) is null)
        {
            errors["cursor"] = ["cursor is not one this API gave (pass nextCursor of the previous page as it is)."];
        }

        return errors.Count > 0 ? (null, errors) : (new MessageExplorerQuery(parsed!, after, size), errors);
    }
}

/// <summary>A page of messages, newest first; <see cref="NextCursor"/> is null on the last one.</summary>
public sealed record MessagePage(IReadOnlyList<MessageDto> Items, string? NextCursor);
