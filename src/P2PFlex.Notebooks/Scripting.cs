using System.Globalization;
using System.Reflection;

namespace P2PFlex.Notebooks.Scripting;

/// <summary>
/// <c>x.Display()</c>, as in .NET Interactive: shows a value in the running notebook cell. Imported into every cell.
/// </summary>
public static class DisplayExtensions
{
    public static DisplayedValue Display(this object? value, params string[] mimeTypes) =>
        (NotebookSession.Current ?? throw new InvalidOperationException("Display() needs a running notebook cell"))
            .Display(value, mimeTypes);
}

/// <summary>
/// Converts a parameter's text to the type of the variable it overrides, for parameters whose declared type has no
/// C# literal (enums, dates, arrays, …). The injected-parameters cell calls
/// <c>name = ParameterConvert.Like(name, "text", "name");</c>, so the target type is inferred from the variable.
/// </summary>
public static class ParameterConvert
{
    public static T Like<T>(T current, string text, string name)
    {
        _ = current;
        try
        {
            return (T)To(typeof(T), text)!;
        }
        catch (Exception e) when (e is FormatException or OverflowException or ArgumentException or InvalidCastException or NotSupportedException)
        {
            throw new ArgumentException($"parameter '{name}': cannot convert '{text}' to {typeof(T).Name}: {e.Message}", name, e);
        }
    }

    public static object? To(Type type, string text)
    {
        var ci = CultureInfo.InvariantCulture;
        var underlying = Nullable.GetUnderlyingType(type);
        if (underlying is not null || !type.IsValueType)
        {
            if (text == "null") return null;
            type = underlying ?? type;
        }
        if (type == typeof(string) || type == typeof(object)) return text;
        if (type.IsEnum) return Enum.Parse(type, text, ignoreCase: true);
        if (type == typeof(bool)) return bool.Parse(text);
        if (type == typeof(DateTime)) return DateTime.Parse(text, ci, DateTimeStyles.RoundtripKind);
        if (type == typeof(DateTimeOffset)) return DateTimeOffset.Parse(text, ci);
        if (type == typeof(TimeSpan)) return TimeSpan.Parse(text, ci);
        if (type == typeof(Guid)) return Guid.Parse(text);
        if (type.IsArray)
        {
            var element = type.GetElementType()!;
            var parts = text.Length == 0 ? [] : text.Split(',', StringSplitOptions.TrimEntries);
            var array = Array.CreateInstance(element, parts.Length);
            for (int i = 0; i < parts.Length; i++) array.SetValue(To(element, parts[i]), i);
            return array;
        }
        if (typeof(IConvertible).IsAssignableFrom(type)) return Convert.ChangeType(text, type, ci);
        var parse = type.GetMethod("Parse", BindingFlags.Public | BindingFlags.Static, [typeof(string), typeof(IFormatProvider)])
                    ?? type.GetMethod("Parse", BindingFlags.Public | BindingFlags.Static, [typeof(string)]);
        if (parse is not null && parse.ReturnType == type)
        {
            try { return parse.Invoke(null, parse.GetParameters().Length == 2 ? [text, ci] : [text]); }
            catch (TargetInvocationException e) when (e.InnerException is not null) { System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(e.InnerException).Throw(); throw; }
        }
        throw new NotSupportedException($"no conversion from text to {type.FullName}");
    }
}
