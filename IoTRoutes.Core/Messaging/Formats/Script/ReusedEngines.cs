using System.Collections.Concurrent;
using Jint;
using Jint.Constraints;
using Jint.Native;
using Jint.Native.Object;

namespace IoTRoutes.Core.Messaging.Formats.Script;

/// <summary>
/// The idle engines of one script that <see cref="ScriptReuse"/> found safe to reuse: a call rents one, runs the top level
/// again on it (its <c>var</c>s set back to undefined first, so even <c>var x;</c> starts undefined) and returns it; the
/// globals the call created are deleted on return. An engine whose call threw, hit a limit or left a global that cannot be
/// deleted is dropped. A fresh engine costs a Jint realm and its garbage per message: reuse is what keeps a script format
/// at half the speed of the JSON check (docs/decisions/message-formats.md).
/// </summary>
internal sealed class ReusedEngines(
    Func<(Engine Engine, OperationDeadlineConstraint Deadline)> create, Prepared<Acornima.Ast.Script> script, IReadOnlyList<string> topLevelVars, IReadOnlySet<string> topLevelNames)
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
            lease = new Lease(engine, deadline, topLevelNames);
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

    internal sealed class Lease
    {
        // The globals a call may leave: the engine's own (read before the script first ran) and the script's top-level names.
        private readonly HashSet<JsValue> _globals;

        // The prototypes a write the reading missed would most likely reach, and their shape when the engine was made.
        private readonly (ObjectInstance Prototype, uint? Shape, int Count)[] _prototypes;

        // The global object's shape after the last clean-up: unchanged, no call added a global since.
        private uint? _globalShape;
        private bool _started;

        public Lease(Engine engine, OperationDeadlineConstraint deadline, IReadOnlySet<string> topLevelNames)
        {
            (Engine, Deadline) = (engine, deadline);
            _globals = [.. engine.Global.GetOwnPropertyKeys(), .. topLevelNames.Select(n => (JsValue)new JsString(n))];
            _prototypes = [.. engine.Evaluate("[Object.prototype, Array.prototype, Function.prototype, String.prototype, Number.prototype]").AsArray()
                .Select(p => p.AsObject()).Select(p => (p, Shapes.Of(p), p.GetOwnPropertyKeys().Count))];
        }

        public Engine Engine { get; }

        public OperationDeadlineConstraint Deadline { get; }

        public void Start(TimeSpan budget, Prepared<Acornima.Ast.Script> script, IReadOnlyList<string> topLevelVars)
        {
            Deadline.Begin(budget);
            if (_started)
            {
                foreach (var name in topLevelVars)
                {
                    Engine.SetValue(name, JsValue.Undefined);
                }
            }

            _started = true;
            Engine.Execute(script);
        }

        /// <summary>
        /// Deletes every global that is neither the engine's nor declared by the script (an implicit global, one the top
        /// level made, <c>this.x</c>): the next run of the top level makes its own again. False when one cannot be deleted,
        /// or a main prototype gained or lost a property: the engine is not reused. Shapes make the usual case (nothing
        /// added) a comparison of numbers; without them every key is compared.
        /// </summary>
        public bool RemoveNewGlobals()
        {
            foreach (var (prototype, shape, count) in _prototypes)
            {
                if (shape is { } before ? Shapes.Of(prototype) != before : prototype.GetOwnPropertyKeys().Count != count) return false;
            }

            var global = Engine.Global;
            if (_globalShape is { } clean && Shapes.Of(global) == clean) return true;
            foreach (var key in global.GetOwnPropertyKeys())
            {
                if (!_globals.Contains(key) && !global.Delete(key))
                {
                    return false;
                }
            }

            var left = global.GetOwnPropertyKeys();
            _globalShape = Shapes.Of(global);
            return left.Count == _globals.Count && left.TrueForAll(_globals.Contains);
        }
    }

    /// <summary>
    /// Jint's count of an object's shape changes (a property added or deleted; not a value replaced), read from its private
    /// field: null when this Jint has no such field, and then the callers compare keys instead.
    /// </summary>
    private static class Shapes
    {
        private static readonly Func<ObjectInstance, uint>? Read = Build();

        public static uint? Of(ObjectInstance instance) => Read?.Invoke(instance);

        private static Func<ObjectInstance, uint>? Build()
        {
            var field = typeof(ObjectInstance).GetField("_propertiesVersion", System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Instance);
            if (field?.FieldType != typeof(uint)) return null;
            var instance = System.Linq.Expressions.Expression.Parameter(typeof(ObjectInstance));
            return System.Linq.Expressions.Expression.Lambda<Func<ObjectInstance, uint>>(System.Linq.Expressions.Expression.Field(instance, field), instance).Compile();
        }
    }
}
