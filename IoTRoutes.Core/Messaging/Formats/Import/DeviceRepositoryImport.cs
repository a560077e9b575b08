using System.Text.Json.Nodes;
using IoTRoutes.Core.Entities;
using IoTRoutes.Core.Messaging.Formats.Script;
using IoTRoutes.Core.Security.Permissions;

namespace IoTRoutes.Core.Messaging.Formats.Import;

/// <summary>
/// Makes a Script format of a codec from The Things Network's Device Repository: its script as it is, its decoder's
/// examples as test cases (bytes as hex, port, the data expected or the errors). The format is created by
/// <see cref="FormatService"/>, with its checks: the caller's permission and scope, and test cases that must pass.
/// </summary>
public sealed class DeviceRepositoryImport(FormatService formats, ScopedContexts contexts)
{
    public async Task<CodecImportResult> ImportAsync(CodecImportRequest request, CancellationToken ct)
    {
        // The permission of creating a format, asked before anything is read.
        var (db, _) = await contexts.CreateAsync(Permission.Manage(SecuredObject.MessageFormats), ct);
        await db.DisposeAsync();

        var (codec, errors) = DeviceRepositoryCodec.Read(request.CodecYaml);
        if (string.IsNullOrWhiteSpace(request.Script))
        {
            errors["script"] = ["Give the codec's script (<name>.js), which defines decodeUplink(input)."];
        }

        var name = string.IsNullOrWhiteSpace(request.Name) ? NameOf(codec?.UplinkDecoder.FileName) : request.Name;
        if (codec is not null && name is null)
        {
            errors["name"] = ["Give the format a name: the codec file names no script file to take it from."];
        }

        if (codec is null || errors.Count > 0)
        {
            return new CodecImportResult(new ChangeResult(ChangeOutcome.Invalid, Errors: errors), null, []);
        }

        var exchange = request.ExchangeType ?? ExchangeType.Telemetry;
        var warnings = new List<string>();
        var testCases = TestCases(codec, exchange, warnings);
        var definition = new FormatDefinition(name, FormatKind.Script, exchange, request.TopicPattern ?? "#", null,
            request.FPort ?? testCases.FirstOrDefault(t => t.Expected is not null)?.FPort ?? 1, SettingsOf(request.Script!), testCases, request.EntityId);
        var created = await formats.CreateAsync(definition, ct);
        return created.Outcome == ChangeOutcome.Done
            ? new CodecImportResult(created, await formats.FindAsync(created.Id!.Value, ct), warnings)
            : new CodecImportResult(created, null, warnings);
    }

    /// <summary>
    /// The examples of the decoder this format's messages go through (a Command format's are downlinks), as test cases;
    /// what cannot be one is said in <paramref name="warnings"/>.
    /// </summary>
    private static List<FormatTestCase> TestCases(DeviceRepositoryCodec codec, ExchangeType exchange, List<string> warnings)
    {
        var (section, sectionName) = exchange == ExchangeType.Command ? (codec.DownlinkDecoder, "downlinkDecoder") : (codec.UplinkDecoder, "uplinkDecoder");
        if (section is null)
        {
            warnings.Add($"The codec file has no {sectionName}: a {exchange} format's test cases come from its examples, so there are none.");
            return [];
        }

        var cases = new List<FormatTestCase>();
        var names = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < section.Examples.Count; i++)
        {
            var example = section.Examples[i];
            var expectedError = string.Join(" ", example.Errors.Where(e => !string.IsNullOrWhiteSpace(e)));
            if (example.Data is null && expectedError.Length == 0)
            {
                warnings.Add($"Example \"{example.Description}\" gives neither data nor errors: not imported.");
                continue;
            }

            if (cases.Count == FormatRules.MaxTestCases)
            {
                warnings.Add($"A format keeps at most {FormatRules.MaxTestCases} test cases: the {section.Examples.Count - i} example(s) after them were not imported.");
                break;
            }

            var name = example.Description;
            for (var n = 2; !names.Add(name); n++) name = $"{example.Description} ({n})";
            cases.Add(new FormatTestCase(name, string.Join(" ", example.Bytes.Select(b => b.ToString("X2"))), "hex", example.FPort,
                expectedError.Length > 0 ? null : example.Data, expectedError.Length > 0 ? expectedError : null));
        }

        var normalized = section.Examples.Count(e => e.HasNormalizedOutput);
        if (normalized > 0)
        {
            warnings.Add($"{normalized} example(s) also give a normalizedOutput, which is not checked: test cases compare decodeUplink's data.");
        }

        if (codec.DownlinkEncoder is { ExampleCount: > 0 } encoder)
        {
            warnings.Add($"{encoder.ExampleCount} downlinkEncoder example(s) not imported: test cases decode, they do not encode.");
        }

        foreach (var (other, otherName) in new[] { (codec.DownlinkEncoder, "downlinkEncoder"), (codec.DownlinkDecoder, "downlinkDecoder") })
        {
            if (other?.FileName is { } file && codec.UplinkDecoder.FileName is { } script && file != script)
            {
                warnings.Add($"The {otherName} is in {file}, not in {script}: only the script given was imported.");
            }
        }

        return cases;
    }

    /// <summary>The script, with a size limit that holds it when it is larger than the default one.</summary>
    private static JsonObject SettingsOf(string script)
    {
        var settings = new JsonObject { ["script"] = script };
        var kilobytes = (System.Text.Encoding.UTF8.GetByteCount(script) + 1023) / 1024;
        var limit = new ScriptSettings().MaxScriptKilobytes;
        if (kilobytes > limit) settings["maxScriptKilobytes"] = Math.Min(kilobytes, 4096);
        return settings;
    }

    /// <summary>A codec is named by its script file: <c>vendor/acme/windsensor.js</c> is <c>windsensor</c>.</summary>
    private static string? NameOf(string? fileName) =>
        string.IsNullOrWhiteSpace(fileName) ? null : Path.GetFileNameWithoutExtension(fileName.Replace('\\', '/').Split('/')[^1]) is { Length: > 0 } name ? name : null;
}
