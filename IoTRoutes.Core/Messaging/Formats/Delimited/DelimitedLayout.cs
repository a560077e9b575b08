namespace IoTRoutes.Core.Messaging.Formats.Delimited;

public enum DelimitedStyle
{
    /// <summary>One line of values: <c>21.5,48,ok</c>.</summary>
    Csv,

    /// <summary>Pairs: <c>temp=21.5;hum=48</c>.</summary>
    KeyValue,
}

/// <summary>One column (CSV: by <see cref="Index"/>, from 0) or key (key=value: by <see cref="Key"/>) mapped to a field.</summary>
public sealed record DelimitedColumn(
    string Name, int? Index = null, string? Key = null, Decoding.FieldType Type = Decoding.FieldType.Number, string? Unit = null,
    double Scale = 1, double Offset = 0, bool Required = false);

/// <summary>
/// The settings of a <c>Delimited</c> format: CSV (one line of values, optionally quoted) or key=value pairs. Without
/// <see cref="Columns"/>, key=value keeps every pair (numbers where they parse as numbers).
/// </summary>
public sealed record DelimitedLayout(
    DelimitedStyle Style = DelimitedStyle.Csv, string Separator = ",", string PairSeparator = "=", List<DelimitedColumn>? Columns = null);
