namespace IoTRoutes.Core.Messaging;

/// <summary>
/// Time-ordered ids handed out and not yet written (or dropped), and the committed watermark they give: every id this
/// process writes below <see cref="Watermark"/> is written already, so a reader of the store up to it never passes
/// something still on its way. Messages (<see cref="Pipeline.MessageIntake"/>) and connection events use one each.
/// </summary>
public sealed class InFlightIds(Func<DateTimeOffset, Guid> next)
{
    private readonly SortedSet<Guid> _ids = [];
    private readonly Lock _gate = new();

    /// <summary>A new id, in flight until <see cref="Remove"/>d.</summary>
    public Guid NewId(DateTimeOffset at)
    {
        lock (_gate)
        {
            var id = next(at);
            _ids.Add(id);
            return id;
        }
    }

    /// <summary>A new id, greater than every id handed out, not counted as in flight.</summary>
    public Guid Above(DateTimeOffset now)
    {
        lock (_gate) return next(now);
    }

    /// <summary>Counts an id made elsewhere as in flight.</summary>
    public void Add(Guid id)
    {
        lock (_gate) _ids.Add(id);
    }

    /// <summary>The id is written, or will never be.</summary>
    public void Remove(Guid id)
    {
        lock (_gate) _ids.Remove(id);
    }

    /// <summary>The lowest id in flight, if any: a reader that stays below it never passes a message still being written.</summary>
    public Guid? Lowest()
    {
        lock (_gate) return _ids.Count > 0 ? _ids.Min : null;
    }

    /// <summary>The lowest id in flight, or, with none, a new id (greater than every id handed out, lower than any to come).</summary>
    public Guid Watermark(DateTimeOffset now)
    {
        lock (_gate) return _ids.Count > 0 ? _ids.Min : next(now);
    }
}
