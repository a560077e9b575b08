using System.Globalization;
using CsvHelper;

namespace IoTRoutes.Core.Devices.Import;

/// <summary>A row of an import file before it is checked against the database.</summary>
public sealed record DeviceImportLine(int Line, string Name, string Entity, string Profile);

/// <summary>
/// Reads import files (CsvHelper, RFC 4180; the separator , ; tab or | is detected, as spreadsheets write it) and writes
/// the credentials file. Columns by header, in any order and case: <c>name</c> (required), <c>entity</c>, <c>profile</c>.
/// </summary>
public static class DeviceImportCsv
{
    public const int MaxRows = 1000;
    public static readonly string[] Columns = ["name", "entity", "profile"];

    private static readonly CsvReaderOptions ReadOptions = CsvReaderOptions.Default with
    {
        MalformedData = CsvMalformedDataHandling.Throw, TrackLineNumbers = true, TrimWhitespace = true, IncludeValuesInExceptions = false,
    };

    public static (IReadOnlyList<DeviceImportLine> Lines, IReadOnlyList<string> Problems) Read(string text)
    {
        var lines = new List<DeviceImportLine>();
        var problems = new List<string>();
        if (string.IsNullOrWhiteSpace(text))
        {
            return (lines, ["The file is empty: the first line names the columns (name, entity, profile), then one device per line."]);
        }

        try
        {
            using var csv = CsvReader.Create(new StringReader(text.TrimStart('\uFEFF')), ReadOptions);
            var headers = csv.Headers.Select(h => h.Trim().ToLowerInvariant()).ToList();
            var unknown = headers.Where(h => !Columns.Contains(h)).ToList();
            if (unknown.Count > 0)
            {
                problems.Add($"Unknown column(s) {string.Join(", ", unknown.Select(u => $"\"{u}\""))}: the columns are name, entity and profile.");
            }

            if (headers.Count != headers.Distinct().Count())
            {
                problems.Add("A column appears twice in the header.");
            }

            var (name, entity, profile) = (headers.IndexOf("name"), headers.IndexOf("entity"), headers.IndexOf("profile"));
            if (name < 0)
            {
                problems.Add("The first line must name the columns, with at least \"name\" (then entity and profile, if wanted).");
                return (lines, problems);
            }

            while (csv.Read())
            {
                if (lines.Count == MaxRows)
                {
                    problems.Add($"At most {MaxRows} devices per file: split it.");
                    break;
                }

                string Field(int index) => index >= 0 && index < csv.FieldCount ? csv.GetString(index).Trim() : "";
                lines.Add(new DeviceImportLine((int)csv.LineNumber, Field(name), Field(entity), Field(profile)));
            }
        }
        catch (CsvFormatException e)
        {
            problems.Add(e.LineNumber > 0
                ? $"The file is not valid CSV at line {e.LineNumber}: check its quotes (a field with a quote or separator in it is quoted, inner quotes doubled)."
                : $"The file is not valid CSV: {e.Message}");
        }

        if (problems.Count == 0 && lines.Count == 0)
        {
            problems.Add("The file names the columns but has no device: add one line per device under the header.");
        }

        return (lines, problems);
    }

    /// <summary>
    /// The created devices with their secrets, UTF-8 CSV. Names a spreadsheet would run as a formula are escaped; the
    /// secret is written as it is (one may start with "-", and escaping it would make it wrong).
    /// </summary>
    public static string Credentials(IReadOnlyList<ImportedDevice> devices)
    {
        using var text = new StringWriter(CultureInfo.InvariantCulture);
        using (var csv = CsvWriter.Create(text, new CsvWriterOptions { Injection = CsvInjection.None, FormatProvider = CultureInfo.InvariantCulture }, leaveOpen: true))
        {
            csv.WriteRecord(["name", "key", "secret", "entity", "profile", "id"]);
            foreach (var d in devices)
            {
                csv.WriteRecord([Defused(d.Name), d.Key, d.Secret, Defused(d.Entity), Defused(d.Profile ?? ""), d.Id.ToString()]);
            }
        }

        return text.ToString();
    }

    private static string Defused(string text) => text.Length > 0 && "=+-@\t\r".Contains(text[0]) ? "'" + text : text;
}
