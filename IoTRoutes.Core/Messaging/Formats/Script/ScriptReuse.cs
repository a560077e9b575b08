using Acornima.Ast;

namespace IoTRoutes.Core.Messaging.Formats.Script;

/// <summary>
/// Whether a script can run its calls in a reused engine and still see a fresh global scope each time, found by reading its
/// source once. A reused engine runs the top level again before each call, after setting every top-level <c>var</c> back to
/// undefined, and deletes every global a call or the top level created (<see cref="ReusedEngines"/>): that is a fresh scope
/// for a script whose writes reach only its own variables and the objects they hold. The reading is an allow-list: a
/// write must go through a variable the script declares, never through a built-in, <c>this</c>, a literal, a computed or
/// inherited member (<c>o[k].x</c>, <c>o.toString.x</c>) or <c>prototype</c>/<c>constructor</c>/<c>__proto__</c>; no
/// built-in object or inherited method may be taken as a value (<c>var m = Math</c>, <c>f(JSON.parse)</c>,
/// <c>var p = a.push</c>); no <c>eval</c>, <c>Function</c>, <c>with</c>, <c>Reflect</c>, <c>defineProperty</c>,
/// <c>getPrototypeOf</c>, RegExp's statics; no built-in name declared (a shadowed name could not be told from the
/// built-in); no top-level <c>let</c>, <c>const</c> or <c>class</c> (a second run would redeclare them). Anything else gets
/// a fresh engine per call: slower, the same answers.
/// </summary>
/// <remarks>
/// What it cannot see: a built-in function reached through a computed name held in a variable and then given a property
/// (<c>var f = a[k]; f.x = 1</c> with <c>k</c> = "push"). <see cref="ReusedEngines"/> also drops an engine whose global
/// object or main prototypes gained a property. Such a script affects only its own later calls, never another format's.
/// </remarks>
internal sealed class ScriptReuse
{
    private static readonly HashSet<string> NamesThatReachShared = new(StringComparer.Ordinal)
    {
        "eval", "Function", "globalThis", "Reflect", "__proto__", "defineProperty", "defineProperties", "setPrototypeOf",
        "getPrototypeOf", "__defineGetter__", "__defineSetter__", "__lookupGetter__", "__lookupSetter__", "RegExp",
    };

    private static readonly HashSet<string> SharedProperties = new(StringComparer.Ordinal) { "prototype", "constructor", "__proto__" };

    private readonly SharedNames _shared;
    private readonly HashSet<string> _declared = new(StringComparer.Ordinal);
    private readonly List<string> _topLevelVars = [];
    private readonly HashSet<string> _topLevelNames = new(StringComparer.Ordinal);
    private string? _reason;

    private ScriptReuse(SharedNames shared) => _shared = shared;

    /// <summary>Null when every call can share an engine; otherwise why each call needs its own.</summary>
    public string? WhyNot => _reason;

    /// <summary>The names the top level declares with <c>var</c> (hoisted from blocks and loops, not from functions).</summary>
    public IReadOnlyList<string> TopLevelVars => _topLevelVars;

    /// <summary>The globals the script itself declares (top-level <c>var</c> and <c>function</c>): kept between calls.</summary>
    public IReadOnlySet<string> TopLevelNames => _topLevelNames;

    public static ScriptReuse Of(Acornima.Ast.Script script, SharedNames shared)
    {
        var reuse = new ScriptReuse(shared);
        foreach (var statement in script.Body)
        {
            if (statement is VariableDeclaration { Kind: not VariableDeclarationKind.Var } or ClassDeclaration)
            {
                reuse._reason = "it declares let, const or class at its top level (with var and function instead, messages would share engines)";
            }

            if (statement is FunctionDeclaration { Id: { } name }) reuse._topLevelNames.Add(name.Name);
        }

        reuse.Declarations(script, topLevel: true);
        reuse._topLevelNames.UnionWith(reuse._topLevelVars);
        if (reuse._reason is null && reuse._declared.FirstOrDefault(n => shared.Globals.Contains(n) || NamesThatReachShared.Contains(n)) is { } shadow)
        {
            reuse._reason = $"it declares {shadow}, the name of a built-in";
        }

        if (reuse._reason is null)
        {
            reuse.Visit(script, null);
        }

        return reuse;
    }

    /// <summary>Every name the script binds anywhere, and the top level's <c>var</c> names.</summary>
    private void Declarations(Node node, bool topLevel)
    {
        switch (node)
        {
            case VariableDeclarator declarator:
                _declared.UnionWith(Bound(declarator.Id));
                break;
            case VariableDeclaration { Kind: VariableDeclarationKind.Var } declaration when topLevel:
                foreach (var declarator in declaration.Declarations)
                {
                    _topLevelVars.AddRange(Bound(declarator.Id).Where(n => !_topLevelVars.Contains(n)));
                }

                break;
            case IFunction function:
                if (function.Id is { } id) _declared.Add(id.Name);
                foreach (var parameter in function.Params) _declared.UnionWith(Bound(parameter));
                foreach (var child in node.ChildNodes) Declarations(child, topLevel: false);
                return;
            case CatchClause { Param: { } parameter }:
                _declared.UnionWith(Bound(parameter));
                break;
            case ClassDeclaration { Id: { } className }:
                _declared.Add(className.Name);
                break;
        }

        foreach (var child in node.ChildNodes)
        {
            Declarations(child, topLevel);
        }
    }

    private static IEnumerable<string> Bound(Node? pattern) => pattern switch
    {
        Identifier identifier => [identifier.Name],
        ObjectPattern objects => objects.Properties.SelectMany(p => p is Property property ? Bound(property.Value) : Bound(p)),
        ArrayPattern array => array.Elements.SelectMany(Bound),
        AssignmentPattern assignment => Bound(assignment.Left),
        RestElement rest => Bound(rest.Argument),
        _ => [],
    };

    private bool IsBuiltin(string name) => _shared.Globals.Contains(name) && !_declared.Contains(name);

    private void Visit(Node node, Node? parent)
    {
        if (_reason is not null) return;
        switch (node)
        {
            case WithStatement:
                _reason = "it uses with";
                return;
            case Identifier identifier when NamesThatReachShared.Contains(identifier.Name) && !IsConstruction(identifier, parent):
                _reason = $"it uses {identifier.Name}";
                return;
            case Identifier identifier when IsBuiltin(identifier.Name) && !ReadsThrough(identifier, parent):
                _reason = $"it uses the built-in {identifier.Name} as a value";
                return;
            case ThisExpression when parent is not MemberExpression { Object: ThisExpression }:
                _reason = "it uses this as a value";
                return;
            case AssignmentExpression assignment:
                Written(assignment.Left);
                break;
            case UpdateExpression update:
                Written(update.Argument);
                break;
            case UnaryExpression { Operator: Acornima.Operator.Delete } deletion:
                Written(deletion.Argument);
                break;
            case ForInStatement forIn:
                Written(forIn.Left);
                break;
            case ForOfStatement forOf:
                Written(forOf.Left);
                break;
            case MemberExpression member:
                CheckMember(member, parent);
                if (_reason is not null) return;
                Visit(member.Object, member);
                if (member.Computed) Visit(member.Property, member);
                return;
            case Property { Computed: false } objectProperty:
                Visit(objectProperty.Value, objectProperty);
                return;
            case MethodDefinition { Computed: false } method:
                Visit(method.Value, method);
                return;
            case PropertyDefinition { Computed: false } field:
                if (field.Value is { } value) Visit(value, field);
                return;
            case LabeledStatement labeled:
                Visit(labeled.Body, labeled);
                return;
            case BreakStatement or ContinueStatement or MetaProperty:
                return;
        }

        foreach (var child in node.ChildNodes)
        {
            Visit(child, node);
        }
    }

    /// <summary>A member read whose value escapes must not be a built-in object or an inherited method.</summary>
    private void CheckMember(MemberExpression member, Node? parent)
    {
        var property = PropertyName(member);
        if (property is not null && NamesThatReachShared.Contains(property))
        {
            _reason = $"it uses .{property}";
            return;
        }

        var readThrough = parent is MemberExpression outer && ReferenceEquals(outer.Object, member);
        if (readThrough || IsCallee(member, parent) || IsTested(parent) || IsWriteTarget(member, parent)) return;
        if (property is not null && SharedProperties.Contains(property))
        {
            _reason = $"it uses .{property} as a value";
        }
        else if (Root(member) is var root && (root is not Identifier || root is Identifier { Name: var name } && IsBuiltin(name)))
        {
            if (!(root is Identifier builtin && property is not null && !member.Computed && member.Object == root && _shared.Constants.Contains($"{builtin.Name}.{property}")))
            {
                _reason = $"it takes a member of {Describe(root)} as a value";
            }
        }
        else if (property is not null && !member.Computed && _shared.PrototypeMembers.Contains(property))
        {
            _reason = $"it takes .{property} (a built-in method's name) as a value";
        }
    }

    /// <summary>A write must reach only the script's own objects: through a declared variable, by own names.</summary>
    private void Written(Node? target)
    {
        switch (target)
        {
            case null:
                return;
            case Identifier { Name: var name } when IsBuiltin(name) || NamesThatReachShared.Contains(name):
                _reason = $"it assigns the built-in {name}";
                return;
            case Identifier:
                return;
            case VariableDeclaration declaration:
                foreach (var declarator in declaration.Declarations) Written(declarator.Id);
                return;
            case ArrayPattern array:
                foreach (var element in array.Elements) Written(element);
                return;
            case ObjectPattern objects:
                foreach (var property in objects.Properties) Written(property is Property p ? p.Value : property);
                return;
            case AssignmentPattern assignment:
                Written(assignment.Left);
                return;
            case RestElement rest:
                Written(rest.Argument);
                return;
            case MemberExpression member:
                WrittenMember(member);
                return;
            default:
                _reason = "it writes to something other than a variable or a member of one";
                return;
        }
    }

    private void WrittenMember(MemberExpression member)
    {
        if (PropertyName(member) is { } last && SharedProperties.Contains(last))
        {
            _reason = $"it writes through .{last}";
            return;
        }

        Node node = member.Object;
        while (node is MemberExpression inner)
        {
            var name = PropertyName(inner);
            if (inner.Computed && name is null)
            {
                _reason = "it writes through a computed member (o[k].x): the script cannot be shown to keep to its own objects";
                return;
            }

            if (name is not null && (SharedProperties.Contains(name) || _shared.PrototypeMembers.Contains(name)))
            {
                _reason = $"it writes through .{name}";
                return;
            }

            node = inner.Object;
        }

        if (node is not Identifier { Name: var root } || !_declared.Contains(root) || IsBuiltin(root))
        {
            _reason = node switch
            {
                ThisExpression => "it writes through this",
                Identifier { Name: var name } => $"it writes to {name}, which it does not declare",
                _ => "it writes to a property of something it did not declare",
            };
        }
    }

    private static Node Root(MemberExpression member)
    {
        Node node = member;
        while (node is MemberExpression inner) node = inner.Object;
        return node;
    }

    private static string Describe(Node root) => root switch
    {
        Identifier { Name: var name } => name,
        ThisExpression => "this",
        _ => "a literal",
    };

    private static bool IsCallee(Node node, Node? parent) => parent switch
    {
        CallExpression call => ReferenceEquals(call.Callee, node),
        NewExpression construct => ReferenceEquals(construct.Callee, node),
        _ => false,
    };

    private static bool IsConstruction(Identifier identifier, Node? parent) => identifier.Name == "RegExp" && IsCallee(identifier, parent);

    private static bool IsTested(Node? parent) => parent is UnaryExpression { Operator: Acornima.Operator.TypeOf }
        or BinaryExpression { Operator: Acornima.Operator.InstanceOf or Acornima.Operator.In or Acornima.Operator.StrictEquality
            or Acornima.Operator.StrictInequality or Acornima.Operator.Equality or Acornima.Operator.Inequality };

    private static bool IsWriteTarget(Node node, Node? parent) => parent switch
    {
        AssignmentExpression assignment => ReferenceEquals(assignment.Left, node),
        UpdateExpression update => ReferenceEquals(update.Argument, node),
        UnaryExpression { Operator: Acornima.Operator.Delete } deletion => ReferenceEquals(deletion.Argument, node),
        ArrayPattern or AssignmentPattern or RestElement => true,
        ForInStatement forIn => ReferenceEquals(forIn.Left, node),
        ForOfStatement forOf => ReferenceEquals(forOf.Left, node),
        _ => false,
    };

    /// <summary>A built-in named where it is only read through, called, constructed, compared or tested.</summary>
    private static bool ReadsThrough(Identifier identifier, Node? parent) => parent switch
    {
        MemberExpression member => ReferenceEquals(member.Object, identifier),
        CallExpression or NewExpression => IsCallee(identifier, parent),
        _ => IsTested(parent),
    };

    private static string? PropertyName(MemberExpression member) => member switch
    {
        { Computed: false, Property: Identifier identifier } => identifier.Name,
        { Computed: true, Property: StringLiteral literal } => literal.Value,
        _ => null,
    };
}

/// <summary>
/// What engines share, by name, read from a fresh engine once: the globals whose values are objects, the built-ins'
/// primitive constants (<c>Math.PI</c>), and the names of the object-valued members of the built-in prototypes.
/// </summary>
internal sealed record SharedNames(IReadOnlySet<string> Globals, IReadOnlySet<string> Constants, IReadOnlySet<string> PrototypeMembers);
