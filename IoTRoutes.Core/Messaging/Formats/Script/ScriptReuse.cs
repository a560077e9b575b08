using Acornima.Ast;

namespace IoTRoutes.Core.Messaging.Formats.Script;

/// <summary>
/// Whether a script can run its calls in a reused engine and still see a fresh global scope each time, found by reading its
/// source once. A reused engine runs the top level again before each call, after setting every top-level <c>var</c> back to
/// undefined, and removes the globals a call created: that is a fresh scope for any script whose calls change only its
/// own top-level bindings and globals. A script that could change what engines share (built-in objects and prototypes,
/// through <c>Math.x = …</c>, <c>Array.prototype.y = …</c>, an alias of a built-in, <c>this</c>, <c>eval</c> and the like),
/// or that declares <c>let</c>, <c>const</c> or <c>class</c> at its top level (running it again would redeclare them), gets a
/// fresh engine per call instead: slower, the same answers.
/// </summary>
/// <remarks>
/// What it cannot see: a write to a built-in reached through a value computed at run time (<c>o[k].x = 1</c> with
/// <c>k</c> = "__proto__", or a built-in function stored in a variable and given a property). Such a script affects only its
/// own later calls, never another format's.
/// </remarks>
internal sealed class ScriptReuse
{
    private static readonly HashSet<string> NamesThatReachShared = new(StringComparer.Ordinal)
    {
        "eval", "Function", "globalThis", "Reflect", "__proto__", "defineProperty", "defineProperties", "setPrototypeOf",
        "getPrototypeOf", "__defineGetter__", "__defineSetter__",
    };

    private static readonly HashSet<string> SharedProperties = new(StringComparer.Ordinal) { "prototype", "constructor", "__proto__" };

    private readonly ISet<string> _builtins;
    private readonly HashSet<string> _declared = new(StringComparer.Ordinal);
    private readonly List<string> _topLevelVars = [];
    private string? _reason;

    private ScriptReuse(ISet<string> builtins) => _builtins = builtins;

    /// <summary>Null when every call can share an engine; otherwise why each call needs its own.</summary>
    public string? WhyNot => _reason;

    /// <summary>The names the top level declares with <c>var</c> (hoisted from blocks and loops, not from functions).</summary>
    public IReadOnlyList<string> TopLevelVars => _topLevelVars;

    public static ScriptReuse Of(Acornima.Ast.Script script, ISet<string> builtins)
    {
        var reuse = new ScriptReuse(builtins);
        foreach (var statement in script.Body)
        {
            if (statement is VariableDeclaration { Kind: not VariableDeclarationKind.Var } or ClassDeclaration)
            {
                reuse._reason = "it declares let, const or class at its top level (with var and function instead, messages would share engines)";
            }
        }

        reuse.Declarations(script, topLevel: true);
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
                foreach (var name in Bound(declarator.Id))
                {
                    _declared.Add(name);
                }

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

    private bool IsSharedName(string name) => _builtins.Contains(name) && !_declared.Contains(name);

    private void Visit(Node node, Node? parent)
    {
        if (_reason is not null) return;
        switch (node)
        {
            case WithStatement:
                _reason = "it uses with";
                return;
            case Identifier identifier when NamesThatReachShared.Contains(identifier.Name) && !_declared.Contains(identifier.Name):
                _reason = $"it uses {identifier.Name}";
                return;
            case Identifier identifier when IsSharedName(identifier.Name) && !ReadsThrough(identifier, parent):
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
                var property = PropertyName(member);
                if (property is not null && NamesThatReachShared.Contains(property))
                {
                    _reason = $"it uses .{property}";
                    return;
                }

                if (property is not null && SharedProperties.Contains(property) && !(parent is MemberExpression outer && ReferenceEquals(outer.Object, member)))
                {
                    _reason = $"it uses .{property} as a value";
                    return;
                }

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

    /// <summary>A built-in named where it is only read through, called, constructed, compared or tested.</summary>
    private static bool ReadsThrough(Identifier identifier, Node? parent) => parent switch
    {
        MemberExpression member => ReferenceEquals(member.Object, identifier),
        CallExpression call => ReferenceEquals(call.Callee, identifier),
        NewExpression construct => ReferenceEquals(construct.Callee, identifier),
        UnaryExpression { Operator: Acornima.Operator.TypeOf } => true,
        BinaryExpression { Operator: Acornima.Operator.InstanceOf or Acornima.Operator.In or Acornima.Operator.StrictEquality
            or Acornima.Operator.StrictInequality or Acornima.Operator.Equality or Acornima.Operator.Inequality } => true,
        VariableDeclarator declarator => ReferenceEquals(declarator.Id, identifier),
        IFunction function => ReferenceEquals(function.Id, identifier) || function.Params.Contains(identifier),
        _ => false,
    };

    /// <summary>A write through a member chain rooted at a built-in or <c>this</c>, or through a prototype, changes what calls share.</summary>
    private void Written(Node target)
    {
        if (target is Identifier { Name: var name } && IsSharedName(name))
        {
            _reason = $"it assigns the built-in {name}";
            return;
        }

        var node = target;
        while (node is MemberExpression member)
        {
            if (PropertyName(member) is { } property && SharedProperties.Contains(property))
            {
                _reason = $"it writes through .{property}";
                return;
            }

            node = member.Object;
        }

        if (!ReferenceEquals(node, target) && (node is ThisExpression || node is Identifier { Name: var root } && IsSharedName(root)))
        {
            _reason = node is ThisExpression ? "it writes through this" : $"it writes to the built-in {((Identifier)node).Name}";
        }
    }

    private static string? PropertyName(MemberExpression member) => member switch
    {
        { Computed: false, Property: Identifier identifier } => identifier.Name,
        { Computed: true, Property: StringLiteral literal } => literal.Value,
        _ => null,
    };
}
