using System.Collections.Concurrent;
using Jint;
using Jint.Constraints;
using Jint.Native;

namespace IoTRoutes.Core.Messaging.Formats.Script;

/// <summary>
/// The idle engines of one script that <see cref="ScriptReuse"/> found safe to reuse: a call rents one, runs the top level
/// again on it (its <c>var</c>s set back to undefined first, so even <c>var x;</c> starts undefined) and returns it; the
/// globals the call created are deleted on return. An engine whose call threw, hit a limit or left a global that cannot be
/// deleted is dropped. A fresh engine costs a Jint realm and its garbage per message: reuse is what keeps a script format
/// at half the speed of the JSON check (docs/decisions/message-formats.md).
/// </summary>
internal sealed class ReusedEngines(Func<(Engine Engine, OperationDeadlineConstraint Deadline)> create, Prepared<Acornima.Ast.Script> script, IReadOnlyList<string> topLevelVars)
{
    // The intake decodes on every core; a few more cover the API's try-it and reprocessing.
    private static readonly int MaxIdle = Environment.ProcessorCount + 2;

    private readonly ConcurrentBag<Lease> _idle = [];
    private int _idleCount;
    private long _created;

    /// <summary>Engines made so far: a test's way to see that calls share them.</summary>
    public long Created => Interlocked.Read(ref _created);

    /// <summary>An engine that has just run the script's top level within the budget, which covers the whole call.</summary>
    public Lease Rent(TimeSpan budget)
    {
        if (_idle.TryTake(out var lease))
        {
            Interlocked.Decrement(ref _idleCount);
        }
        else
        {
            Interlocked.Increment(ref _created);
            var (engine, deadline) = create();
            lease = new Lease(engine, deadline);
        }

        lease.Start(budget, script, topLevelVars);
        return lease;
    }

    /// <summary>Takes an engine back, when its call ended normally and left no global it cannot remove.</summary>
    public void Return(Lease lease, bool ended)
    {
        lease.Deadline.End();
        if (!ended || !lease.RemoveNewGlobals())
        {
            return;
        }

        if (Interlocked.Increment(ref _idleCount) <= MaxIdle)
        {
            _idle.Add(lease);
        }
        else
        {
            Interlocked.Decrement(ref _idleCount);
        }
    }

    internal sealed class Lease(Engine engine, OperationDeadlineConstraint deadline)
    {
        private HashSet<JsValue>? _globals;

        public Engine Engine { get; } = engine;

        public OperationDeadlineConstraint Deadline { get; } = deadline;

        public void Start(TimeSpan budget, Prepared<Acornima.Ast.Script> script, IReadOnlyList<string> topLevelVars)
        {
            Deadline.Begin(budget);
            if (_globals is not null)
            {
                foreach (var name in topLevelVars)
                {
                    Engine.SetValue(name, JsValue.Undefined);
                }
            }

            Engine.Execute(script);
            _globals ??= [.. Engine.Global.GetOwnPropertyKeys()];
        }

        /// <summary>Deletes what a call added to the global object (an implicit global, <c>this.x</c> at the top level).</summary>
        public bool RemoveNewGlobals()
        {
            var global = Engine.Global;
            var keys = global.GetOwnPropertyKeys();
            if (keys.Count == _globals!.Count)
            {
                return true;
            }

            foreach (var key in keys)
            {
                if (!_globals.Contains(key) && !global.Delete(key))
                {
                    return false;
                }
            }

            return global.GetOwnPropertyKeys().Count == _globals.Count;
        }
    }
}
