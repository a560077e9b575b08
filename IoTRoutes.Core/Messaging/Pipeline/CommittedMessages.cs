namespace IoTRoutes.Core.Messaging.Pipeline;

/// <summary>
/// The messages this process committed lately, by id, for readers that follow the store closely (the workflow runner):
/// reading them here spares reading them back from the database. Kept only while a reader has switched it on, and at
/// most <see cref="Capacity"/>; it answers only for a range it holds completely (see <see cref="TryRead"/>), so a reader
/// that falls behind, or one that starts, reads the database as before.
/// </summary>
public sealed class CommittedMessages
{
    public const int Capacity = 50_000;

    // In id order from _head on (commits come nearly in id order: an insert is almost always at the end); what readers have
    // passed or the capacity dropped is skipped by moving _head, and compacted away now and then.
    private readonly List<Message> _messages = [];
    private int _head;
    private readonly Lock _gate = new();
    private bool _on;

    // Every message committed with an id above this one is here, until removed by Forget (its readers are past it).
    private Guid _floor = Guid.Empty;

    /// <summary>
    /// Starts keeping what commits from now on; what committed before is below the floor (read from the database).
    /// <paramref name="newId"/> makes an id greater than every id handed out so far: taken inside the lock, after
    /// switching on, so a message with a higher id is made after it and its commit finds this switched on. (A floor
    /// from the committed watermark would be lower than messages that committed just before: they would be missing.)
    /// </summary>
    public void SwitchOn(Func<Guid> newId)
    {
        lock (_gate)
        {
            if (_on) return;
            _on = true;
            _floor = newId();
        }
    }

    public void SwitchOff()
    {
        lock (_gate)
        {
            _on = false;
            _messages.Clear();
            _head = 0;
        }
    }

    /// <summary>Called at a message's commit, before the watermark can pass it.</summary>
    internal void Add(Message message)
    {
        lock (_gate)
        {
            if (!_on || message.Id <= _floor) return;
            _messages.Insert(FirstAbove(message.Id), message);
            if (_messages.Count - _head > Capacity)
            {
                _floor = _messages[_head].Id;
                _head++;
                Compact();
            }
        }
    }

    /// <summary>
    /// The committed messages with ids between the two, in id order, at most <paramref name="take"/>; false when this
    /// process does not hold that whole range (switched off, or <paramref name="after"/> below what it keeps).
    /// </summary>
    public bool TryRead(Guid after, Guid below, int take, out List<Message> messages)
    {
        messages = [];
        lock (_gate)
        {
            if (!_on || after < _floor) return false;
            for (var index = FirstAbove(after); index < _messages.Count && messages.Count < take && _messages[index].Id < below; index++)
            {
                messages.Add(_messages[index]);
            }

            return true;
        }
    }

    /// <summary>Forgets what every reader has passed (ids up to <paramref name="upTo"/>).</summary>
    public void Forget(Guid upTo)
    {
        lock (_gate)
        {
            if (!_on || upTo <= _floor) return;
            _head = FirstAbove(upTo);
            _floor = upTo;
            Compact();
        }
    }

    /// <summary>The index of the first kept message with an id above <paramref name="id"/>.</summary>
    private int FirstAbove(Guid id)
    {
        int low = _head, high = _messages.Count;
        if (high > low && _messages[high - 1].Id <= id) return high; // the usual case: appending
        while (low < high)
        {
            var middle = (low + high) / 2;
            if (_messages[middle].Id <= id) low = middle + 1;
            else high = middle;
        }

        return low;
    }

    private void Compact()
    {
        if (_head < 1024 || _head < _messages.Count / 2) return;
        _messages.RemoveRange(0, _head);
        _head = 0;
    }
}
