using System.Reflection;

namespace P2PFlex.Tests;

/// <summary>
/// A record's value seen by reflection: the properties it is made of, and a copy with one of them moved. The stores of
/// solved problems (<c>SolvedMarkets</c>, <c>SolvedAuctions</c>, <c>SolvedPowerFlows</c>) compare records field by
/// field by hand; their tests move every property the record has, so a property added later and forgotten in the
/// comparison fails a test instead of letting two different problems share one result.
/// </summary>
internal static class RecordCopies
{
    /// <summary>Public instance properties with a setter (a record's init accessors); never none.</summary>
    public static PropertyInfo[] PropertiesOf<T>()
    {
        var properties = typeof(T).GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.SetMethod is not null).ToArray();
        Assert.NotEmpty(properties);
        return properties;
    }

    /// <summary>A copy of <paramref name="record"/> (through the record's own clone method) whose
    /// <paramref name="property"/> holds <paramref name="move"/> of its value; the original is left as it was.</summary>
    public static T With<T>(T record, PropertyInfo property, Func<object?, object> move) where T : class
    {
        var clone = (T)typeof(T).GetMethod("<Clone>$")!.Invoke(record, null)!;
        property.SetValue(clone, move(property.GetValue(record)));
        return clone;
    }

    /// <summary>The error for a property whose type a test does not know how to move.</summary>
    public static InvalidOperationException CannotMove(Type record, string property, object? value) =>
        new($"{record.Name}.{property} is a {value?.GetType().Name ?? "null"}: teach this test to change it");
}
