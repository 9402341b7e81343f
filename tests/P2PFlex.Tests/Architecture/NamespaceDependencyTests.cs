using System.Reflection;
using System.Reflection.Emit;
using P2PFlex.Grid;

namespace P2PFlex.Tests.Architecture;

/// <summary>
/// The core's top-level namespaces (P2PFlex.Grid, P2PFlex.Data, P2PFlex.Scenarios, …) depend on each other without
/// cycles, so each can be read, tested and changed from the bottom up. Dependencies are read from the compiled core:
/// every type's base type, interfaces, fields, properties, method signatures and the types and members named by its
/// method bodies' IL (no Roslyn). The core → display direction is pinned by <c>AssemblySplitTests</c> (P2PFlex.Display
/// is its own assembly); a core type naming a display type would be caught here too.
/// <para>
/// The layers, bottom up (a namespace names only those below it; docs/extending.md, "Where code lives"):
/// IO, Numerics → Grid → Markets, Interventions → Data → Scenarios → MonteCarlo → TimeSeries.
/// Data sits above Markets because a feeder's setup names its orderbook generator; the study feeder
/// (<c>StudyFeeder</c>, <c>StudyState</c>) and the P2P-subset draw (<c>SubsetDraw</c>) live in Data, and the screen
/// case69's subset is drawn under is handed to the data generator from Scenarios (<c>ISubsetScreen</c>,
/// <c>StudyStoryScreen</c>), so no data type names a scenario.
/// </para>
/// </summary>
public class NamespaceDependencyTests
{
    [Fact]
    public void The_core_namespaces_have_no_cycle()
    {
        var graph = DependencyGraph(typeof(GridNetwork).Assembly);
        var cycles = StronglyConnected(graph).Where(c => c.Count > 1).Select(c => string.Join(" <-> ", c.Order(StringComparer.Ordinal))).ToArray();
        Assert.True(cycles.Length == 0,
            $"namespace cycles: {string.Join(" | ", cycles.Order(StringComparer.Ordinal))}. Dependencies: " +
            string.Join("; ", graph.OrderBy(e => e.Key, StringComparer.Ordinal).Select(e => $"{e.Key} -> {string.Join(", ", e.Value.Order(StringComparer.Ordinal))}")));
    }

    [Fact]
    public void The_cycle_check_finds_a_cycle_when_there_is_one()
    {
        // The check itself can fail: a graph with a back edge has a component of two or more namespaces.
        var graph = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal)
        {
            ["Grid"] = ["Numerics", "Data"],
            ["Data"] = ["Grid"],
            ["Numerics"] = [],
        };
        var component = Assert.Single(StronglyConnected(graph), c => c.Count > 1);
        Assert.Equal(["Data", "Grid"], component.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void No_core_type_names_a_display_type()
    {
        var graph = DependencyGraph(typeof(GridNetwork).Assembly);
        Assert.DoesNotContain(graph, e => e.Value.Contains("Display"));
        Assert.DoesNotContain("Display", graph.Keys);
    }

    [Fact]
    public void The_scan_sees_dependencies_that_only_method_bodies_have()
    {
        // GridNetwork.Load reads a case through the MATPOWER reader: Grid.Matpower is folded into Grid, and the
        // reader's use of nothing else keeps it a leaf; Scenarios names Markets in bodies and signatures.
        var graph = DependencyGraph(typeof(GridNetwork).Assembly);
        Assert.Contains("Markets", graph["Scenarios"]);
        Assert.Contains("Numerics", graph["Markets"]);
        Assert.DoesNotContain("Scenarios", graph["Numerics"]);
    }

    /// <summary>Top-level namespace of the core (the segment after <c>P2PFlex.</c>), or null outside the project.</summary>
    private static string? Area(Type? t)
    {
        while (t is { IsNested: true }) t = t.DeclaringType;
        string? ns = t?.Namespace;
        if (ns is null || !ns.StartsWith("P2PFlex.", StringComparison.Ordinal)) return null;
        return ns.Split('.')[1];
    }

    private static Dictionary<string, HashSet<string>> DependencyGraph(Assembly core)
    {
        var graph = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
        const BindingFlags all = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;
        foreach (var type in core.GetTypes())
        {
            string? from = Area(type);
            if (from is null) continue;
            if (!graph.TryGetValue(from, out var edges)) graph[from] = edges = new HashSet<string>(StringComparer.Ordinal);
            void Add(Type? t)
            {
                if (t is null) return;
                if (t.HasElementType) { Add(t.GetElementType()); return; }
                if (t.IsGenericType && !t.IsGenericTypeDefinition)
                {
                    foreach (var a in t.GetGenericArguments()) Add(a);
                    Add(t.GetGenericTypeDefinition());
                    return;
                }
                if (t.IsGenericParameter) return;
                string? to = Area(t);
                if (to is not null && to != from) edges.Add(to);
            }
            Add(type.BaseType);
            foreach (var i in type.GetInterfaces()) Add(i);
            foreach (var f in type.GetFields(all)) Add(f.FieldType);
            foreach (var p in type.GetProperties(all)) Add(p.PropertyType);
            foreach (var m in type.GetMethods(all).Cast<MethodBase>().Concat(type.GetConstructors(all)))
            {
                if (m is MethodInfo mi) Add(mi.ReturnType);
                foreach (var p in m.GetParameters()) Add(p.ParameterType);
                foreach (var t in BodyTypes(m)) Add(t);
            }
        }
        return graph;
    }

    private static readonly Dictionary<short, OpCode> OpCodesByValue = typeof(OpCodes)
        .GetFields(BindingFlags.Public | BindingFlags.Static)
        .Select(f => (OpCode)f.GetValue(null)!)
        .ToDictionary(o => o.Value);

    /// <summary>The types named by a method body's IL: the declaring types of called methods and used fields, and the
    /// types of newarr, castclass, box, ldtoken and the like.</summary>
    private static IEnumerable<Type> BodyTypes(MethodBase method)
    {
        byte[]? il;
        try
        {
            il = method.GetMethodBody()?.GetILAsByteArray();
        }
        catch (InvalidOperationException)
        {
            yield break;
        }
        if (il is null) yield break;
        Type[]? typeArgs = method.DeclaringType is { IsGenericType: true } d ? d.GetGenericArguments() : null;
        Type[]? methodArgs = method.IsGenericMethod ? method.GetGenericArguments() : null;
        int pos = 0;
        while (pos < il.Length)
        {
            short value = il[pos] == 0xFE ? (short)(0xFE00 | il[pos + 1]) : il[pos];
            pos += il[pos] == 0xFE ? 2 : 1;
            var op = OpCodesByValue[value];
            switch (op.OperandType)
            {
                case OperandType.InlineNone: break;
                case OperandType.ShortInlineBrTarget or OperandType.ShortInlineI or OperandType.ShortInlineVar: pos += 1; break;
                case OperandType.InlineVar: pos += 2; break;
                case OperandType.InlineI8 or OperandType.InlineR: pos += 8; break;
                case OperandType.InlineSwitch: pos += 4 + 4 * BitConverter.ToInt32(il, pos); break;
                case OperandType.InlineMethod or OperandType.InlineField or OperandType.InlineType or OperandType.InlineTok:
                    {
                        int token = BitConverter.ToInt32(il, pos);
                        pos += 4;
                        MemberInfo? member = null;
                        try
                        {
                            member = method.Module.ResolveMember(token, typeArgs, methodArgs);
                        }
                        catch (Exception e) when (e is ArgumentException or BadImageFormatException or TypeLoadException)
                        {
                        }
                        switch (member)
                        {
                            case Type t: yield return t; break;
                            case FieldInfo f: yield return f.DeclaringType!; yield return f.FieldType; break;
                            case MethodBase m:
                                yield return m.DeclaringType!;
                                if (m is MethodInfo { IsGenericMethod: true } g) foreach (var a in g.GetGenericArguments()) yield return a;
                                break;
                        }
                        break;
                    }
                default: pos += 4; break; // InlineBrTarget, InlineI, InlineSig, InlineString, ShortInlineR
            }
        }
    }

    /// <summary>Tarjan's strongly connected components of the namespace graph.</summary>
    private static List<List<string>> StronglyConnected(Dictionary<string, HashSet<string>> graph)
    {
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        var low = new Dictionary<string, int>(StringComparer.Ordinal);
        var stack = new Stack<string>();
        var onStack = new HashSet<string>(StringComparer.Ordinal);
        var components = new List<List<string>>();
        int next = 0;
        void Visit(string v)
        {
            index[v] = low[v] = next++;
            stack.Push(v);
            onStack.Add(v);
            foreach (string w in graph.TryGetValue(v, out var e) ? e.Order(StringComparer.Ordinal) : Enumerable.Empty<string>())
            {
                if (!index.ContainsKey(w)) { Visit(w); low[v] = Math.Min(low[v], low[w]); }
                else if (onStack.Contains(w)) low[v] = Math.Min(low[v], index[w]);
            }
            if (low[v] != index[v]) return;
            var component = new List<string>();
            string x;
            do { x = stack.Pop(); onStack.Remove(x); component.Add(x); } while (x != v);
            components.Add(component);
        }
        foreach (string v in graph.Keys.Order(StringComparer.Ordinal))
            if (!index.ContainsKey(v)) Visit(v);
        return components;
    }
}
