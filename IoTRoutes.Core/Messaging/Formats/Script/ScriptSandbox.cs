using System.Text.RegularExpressions;
using Acornima;
using Jint;
using Jint.Constraints;
using Jint.Runtime;

namespace IoTRoutes.Core.Messaging.Formats.Script;

/// <summary>
/// The one sandbox every user script of the platform runs in (Script formats, workflow Script nodes): a script parsed
/// once; each call in an engine that is non-strict with ES2015+ features, has no CLR access, and keeps to the limits on
/// time, statements, memory and recursion of <see cref="ScriptSettings"/>. A call runs the script's top level, then its
/// function, in a fresh global scope: in an engine of its own, or one reused when <see cref="ScriptReuse"/> shows the
/// script cannot tell (<see cref="ReusedEngines"/>).
/// </summary>
internal sealed class ScriptSandbox
{
    /// <summary>
    /// The first script a process runs pays for compiling much of Jint's interpreter, tens of milliseconds on a busy
    /// machine, and the time limit reads the clock: our own script pays it once so a user's first save is not refused.
    /// </summary>
    private static readonly Lazy<bool> Warm = new(() =>
    {
        var engine = new Engine(options => options.Strict(false));
        engine.Execute("function decodeUplink(input) { var b = input.bytes, o = { list: [] }; for (var i = 0; i < b.length; i++) { o.list.push((b[i] << 8 | b[i] & 0x0f) / 10); } " +
                       "o.text = String.fromCharCode.apply(null, b) + JSON.stringify(o.list).slice(0, 4); o.when = new Date(input.recvTime).toISOString(); return { data: o, warnings: [], errors: [] }; }");
        var argument = engine.Evaluate("({ bytes: [1, 2, 3], fPort: 1, recvTime: 0, variables: {} })");
        return ScriptResults.ToJson(engine.Invoke("decodeUplink", argument)) is not null;
    });

    // What engines share, by name (ScriptReuse), read from a fresh engine once.
    private static readonly Lazy<SharedNames> Shared = new(() =>
    {
        var engine = new Engine();
        var global = engine.Global;
        var globals = global.GetOwnPropertyKeys().Where(k => k.IsString() && global.Get(k).IsObject()).Select(k => k.AsString()).ToHashSet(StringComparer.Ordinal);
        var constants = engine.Evaluate("""
            (function () { var out = []; Object.getOwnPropertyNames(globalThis).forEach(function (n) { var o = globalThis[n];
              if (o === null || (typeof o !== 'object' && typeof o !== 'function')) return;
              Object.getOwnPropertyNames(o).forEach(function (p) { var d = Object.getOwnPropertyDescriptor(o, p);
                if (d && 'value' in d && (d.value === null || (typeof d.value !== 'object' && typeof d.value !== 'function'))) out.push(n + '.' + p); }); });
              return out.join('\n'); })()
            """).AsString();
        var members = engine.Evaluate("""
            (function () { var names = {}; var protos = [Object.prototype, Function.prototype, Array.prototype, String.prototype, Number.prototype,
              Boolean.prototype, Symbol.prototype, Date.prototype, RegExp.prototype, Error.prototype, Map.prototype, Set.prototype, WeakMap.prototype,
              WeakSet.prototype, Promise.prototype, ArrayBuffer.prototype, DataView.prototype, Object.getPrototypeOf(Uint8Array.prototype), Uint8Array.prototype,
              Object.getPrototypeOf([][Symbol.iterator]()), Object.getPrototypeOf(Object.getPrototypeOf([][Symbol.iterator]()))];
              protos.forEach(function (p) { Object.getOwnPropertyNames(p).forEach(function (n) { var d = Object.getOwnPropertyDescriptor(p, n);
                if (d && 'value' in d && d.value !== null && (typeof d.value === 'object' || typeof d.value === 'function')) names[n] = 1; }); });
              return Object.keys(names).join('\n'); })()
            """).AsString();
        return new SharedNames(globals, constants.Split('\n', StringSplitOptions.RemoveEmptyEntries).ToHashSet(StringComparer.Ordinal),
            members.Split('\n', StringSplitOptions.RemoveEmptyEntries).ToHashSet(StringComparer.Ordinal));
    });

    private readonly ScriptSettings _limits;

    // Engines reused across calls when the script cannot tell (ScriptReuse); null: a fresh engine per call.
    private readonly ReusedEngines? _reused;

    /// <param name="reuse">Whether calls may share engines when <see cref="ScriptReuse"/> allows it.</param>
    public ScriptSandbox(Prepared<Acornima.Ast.Script> script, ScriptSettings limits, bool reuse)
    {
        (Script, _limits) = (script, limits);
        if (!reuse) return;
        var reading = ScriptReuse.Of(script.Program!, Shared.Value);
        _reused = reading.WhyNot is null ? new ReusedEngines(NewEngine, script, reading.TopLevelVars, reading.TopLevelNames) : null;
        WhyNotReused = reading.WhyNot;
    }

    public Prepared<Acornima.Ast.Script> Script { get; }

    /// <summary>Why each call gets an engine of its own; null when calls reuse engines (or reuse was not asked for).</summary>
    public string? WhyNotReused { get; }

    /// <summary>Engines made for calls so far; null when calls do not reuse engines.</summary>
    public long? EnginesCreated => _reused?.Created;

    public TimeSpan Budget => TimeSpan.FromMilliseconds(_limits.TimeoutMilliseconds);

    /// <summary>Parses a script once; a syntax error is a message with its line and column.</summary>
    public static (Prepared<Acornima.Ast.Script>? Script, string? Error) Parse(string source, string name)
    {
        try
        {
            return (Engine.PrepareScript(source, name, strict: false), null);
        }
        catch (ScriptPreparationException e) when (e.InnerException is ParseErrorException syntax)
        {
            return (null, $"Syntax error at line {syntax.LineNumber}, column {syntax.Column}: {syntax.Description}");
        }
    }

    /// <summary>
    /// A fresh engine that has run the script's top level, to see what it defines when it is saved: a top-level throw
    /// or an endless loop is found then, not at its first call. Throws what the script does (see <see cref="Problem"/>).
    /// </summary>
    public Engine Probe()
    {
        _ = Warm.Value;
        var engine = FreshEngine();
        engine.Execute(Script);
        return engine;
    }

    /// <summary>
    /// An engine for one call, whose top level has run within the call's time budget: a reused one when the script allows
    /// it and <paramref name="fresh"/> is false. Dispose it after the call; <see cref="ScriptCall.Completed"/> first when
    /// the call ended normally, so that its engine may serve another.
    /// </summary>
    public ScriptCall Begin(bool fresh = false)
    {
        if (!fresh && _reused is { } pool)
        {
            var lease = pool.Rent(Budget);
            return new ScriptCall(lease.Engine, pool, lease);
        }

        var engine = FreshEngine();
        engine.Execute(Script);
        return new ScriptCall(engine, null, null);
    }

    /// <summary>A fresh engine whose time limit runs from now and covers the whole call (see <see cref="NewEngine"/>).</summary>
    private Engine FreshEngine()
    {
        var (engine, deadline) = NewEngine();
        deadline.Begin(Budget);
        return engine;
    }

    /// <summary>
    /// An engine within the limits. Its time limit covers a whole call, top level and function together: Jint's
    /// <see cref="OperationDeadlineConstraint"/> keeps one budget across Execute and Invoke (its TimeoutInterval restarts at
    /// each, allowing twice the limit) and reads the clock inline, so a busy thread pool cannot delay it as a timer would.
    /// Regular expressions have the same limit each.
    /// </summary>
    private (Engine Engine, OperationDeadlineConstraint Deadline) NewEngine()
    {
        var deadline = new OperationDeadlineConstraint();
        var engine = new Engine(options =>
        {
            options.Strict(false);
            options.Constraint(deadline);
            options.Constraints.RegexTimeout = Budget;
            options.MaxStatements(_limits.MaxStatements);
            options.LimitMemory(_limits.MemoryKilobytes * 1024L);
            options.LimitRecursion(_limits.MaxRecursion);
            options.Constraints.MaxArraySize = 10_000_000;
        });
        return (engine, deadline);
    }

    /// <summary>What went wrong in the script, with the line and column where Jint knows them; null for a bug of ours.</summary>
    public static string? Problem(Exception e)
    {
        var where = JintException.TryGetJavaScriptLocation(e, out var location) ? $" (line {location.Start.Line}, column {location.Start.Column + 1})" : "";
        return e switch
        {
            JavaScriptException js => $"The script threw{where}: {js.Message}",
            TimeoutException or RegexMatchTimeoutException => $"The script ran longer than its time limit{where}.",
            _ when e.GetType().Name == "ExecutionCanceledException" => $"The script ran longer than its time limit{where}.",
            ScriptResultException => e.Message,
            StatementsCountOverflowException => $"The script ran more statements than its limit{where}.",
            MemoryLimitExceededException => $"The script used more memory than its limit{where}.",
            RecursionDepthOverflowException => $"The script recursed deeper than its limit{where}.",
            ParseErrorException p => $"Syntax error at line {p.LineNumber}, column {p.Column}: {p.Description}",
            JintException or InvalidOperationException or ArgumentException => $"The script failed{where}: {e.Message}",
            _ => null,
        };
    }
}

/// <summary>One call's engine: disposing it gives a reused engine back, kept only when the call <see cref="Completed"/>.</summary>
internal sealed class ScriptCall(Engine engine, ReusedEngines? pool, ReusedEngines.Lease? lease) : IDisposable
{
    private bool _completed;

    public Engine Engine { get; } = engine;

    /// <summary>The call ended normally (no throw, no limit reached): its engine may serve another call.</summary>
    public void Completed() => _completed = true;

    public void Dispose()
    {
        if (lease is not null) pool!.Return(lease, _completed);
    }
}
