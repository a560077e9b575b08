using System.Buffers.Binary;
using System.Globalization;
using System.Text.Json.Nodes;
using IoTRoutes.Core.Messaging.Formats.Decoding;

namespace IoTRoutes.Core.Messaging.Formats.Binary;

/// <summary>A <c>Binary</c> format version, checked once: reads fields out of a byte payload.</summary>
public sealed class BinaryLayoutDecoder : IPayloadDecoder
{
    private readonly BinaryLayout _layout;

    private BinaryLayoutDecoder(BinaryLayout layout) => _layout = layout;

    /// <summary>The decoder, or the problems of the settings, each keyed by its place (<c>fields[1].type</c>).</summary>
    public static (BinaryLayoutDecoder? Decoder, Dictionary<string, string[]> Errors) Build(BinaryLayout layout)
    {
        var errors = new Dictionary<string, string[]>();
        if (layout.Types is { Count: > 0 } types)
        {
            foreach (var (key, field) in types)
            {
                if (field is null) { errors[$"types.{key}"] = ["A type needs its field."]; continue; }
                if (!byte.TryParse(key, NumberStyles.None, CultureInfo.InvariantCulture, out _)) errors[$"types.{key}"] = ["A type is a byte value, 0 to 255."];
                CheckField(field, $"types.{key}", errors, allowAt: false);
            }
        }
        else if (layout.DiscriminatorAt is { } discriminator)
        {
            if (discriminator < 0) errors["discriminatorAt"] = ["The discriminator's offset cannot be negative."];
            if (layout.Layouts is not { Count: > 0 }) errors["layouts"] = ["With a discriminator, give at least one layout (keyed by its byte value)."];
            foreach (var (key, fields) in layout.Layouts ?? [])
            {
                if (fields is null) { errors[$"layouts.{key}"] = ["A layout is a list of fields."]; continue; }
                if (!byte.TryParse(key, NumberStyles.None, CultureInfo.InvariantCulture, out _)) errors[$"layouts.{key}"] = ["A layout is keyed by a byte value, 0 to 255."];
                CheckFields(fields, $"layouts.{key}", errors);
            }
        }
        else if (layout.Fields is not { Count: > 0 })
        {
            errors["fields"] = ["A binary layout needs at least one field."];
        }
        else
        {
            CheckFields(layout.Fields, "fields", errors);
        }

        return errors.Count > 0 ? (null, errors) : (new BinaryLayoutDecoder(layout), errors);
    }

    public DecodedMessage Decode(DecodeInput input)
    {
        var bytes = input.Payload.Span;
        var errors = new List<string>();
        var warnings = new List<string>();
        JsonObject data;
        if (_layout.Types is { Count: > 0 })
        {
            data = ReadRecords(bytes, errors, warnings);
        }
        else
        {
            var fields = _layout.Fields!;
            var start = 0;
            if (_layout.DiscriminatorAt is { } at)
            {
                if (at >= bytes.Length)
                {
                    return DecodedMessage.Failed($"Binary: the discriminator at byte {at} is beyond the payload ({bytes.Length} bytes).");
                }

                var key = bytes[at].ToString(CultureInfo.InvariantCulture);
                if (!_layout.Layouts!.TryGetValue(key, out fields))
                {
                    return DecodedMessage.Failed($"Binary: no layout for discriminator {key} (0x{bytes[at]:X2}) at byte {at}.");
                }

                start = at + 1;
            }

            if (_layout.Repeat)
            {
                var readings = new JsonArray();
                for (var cursor = start; cursor < bytes.Length && errors.Count == 0;)
                {
                    var reading = new JsonObject();
                    var end = ReadFields(fields, bytes, cursor, reading, errors, warnings);
                    if (end <= cursor) break; // a layout of explicit offsets only: read once
                    readings.Add(reading);
                    cursor = end;
                }

                data = new JsonObject { ["readings"] = readings };
            }
            else
            {
                data = new JsonObject();
                ReadFields(fields, bytes, start, data, errors, warnings);
            }
        }

        return errors.Count > 0 ? new DecodedMessage(null, null, warnings, errors) : DecodedMessage.Of(data, null, warnings);
    }

    private JsonObject ReadRecords(ReadOnlySpan<byte> bytes, List<string> errors, List<string> warnings)
    {
        var data = new JsonObject();
        for (var at = 0; at < bytes.Length && errors.Count == 0;)
        {
            if (at + 2 > bytes.Length)
            {
                errors.Add($"Binary: truncated record at byte {at}: a channel without its type.");
                break;
            }

            var channel = bytes[at];
            var type = bytes[at + 1].ToString(CultureInfo.InvariantCulture);
            if (!_layout.Types!.TryGetValue(type, out var field))
            {
                errors.Add($"Binary: unknown type {type} (0x{bytes[at + 1]:X2}) at byte {at + 1}.");
                break;
            }

            var named = field with { Name = $"{field.Name}_{channel}" };
            at = ReadFields([named], bytes, at + 2, data, errors, warnings);
        }

        return data;
    }

    /// <summary>Reads <paramref name="fields"/> from <paramref name="cursor"/> into <paramref name="into"/>; returns where the last one ended.</summary>
    private int ReadFields(List<BinaryField> fields, ReadOnlySpan<byte> bytes, int cursor, JsonObject into, List<string> errors, List<string> warnings)
    {
        foreach (var field in fields)
        {
            var at = field.At ?? cursor;
            var size = SizeOf(field.Type);
            if (at + size > bytes.Length)
            {
                errors.Add($"Binary: truncated payload: \"{field.Name}\" ({field.Type.ToString().ToLowerInvariant()}) needs bytes {at} to {at + size - 1}, the payload has {bytes.Length}.");
                return cursor;
            }

            cursor = at + size;
            if (field.Skip)
            {
                continue;
            }

            var raw = Read(field, bytes.Slice(at, size));
            if (field.Enum is { } labels)
            {
                var key = raw.ToString(CultureInfo.InvariantCulture);
                if (labels.TryGetValue(key, out var label))
                {
                    into[field.Name!] = label;
                    continue;
                }

                warnings.Add($"\"{field.Name}\": value {key} has no label.");
            }

            var value = field.Scale == 1 && field.Offset == 0 ? raw : Math.Round(raw * field.Scale + field.Offset, 12);
            if (!double.IsFinite(value))
            {
                errors.Add($"Binary: \"{field.Name}\" is not a finite number (NaN or infinity at byte {at}).");
                return cursor;
            }

            into[field.Name!] = value;
        }

        return cursor;
    }

    private double Read(BinaryField field, ReadOnlySpan<byte> bytes)
    {
        var little = (field.Endianness ?? _layout.Endianness) == Endianness.Little;
        switch (field.Type)
        {
            case BinaryType.F32:
                // Through its shortest text: a float's 21.3 is 21.3, not 21.299999237060547.
                var single = little ? BinaryPrimitives.ReadSingleLittleEndian(bytes) : BinaryPrimitives.ReadSingleBigEndian(bytes);
                return float.IsFinite(single) ? double.Parse(single.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture) : single;
            case BinaryType.F64:
                return little ? BinaryPrimitives.ReadDoubleLittleEndian(bytes) : BinaryPrimitives.ReadDoubleBigEndian(bytes);
        }

        ulong raw = 0;
        for (var i = 0; i < bytes.Length; i++)
        {
            raw = (raw << 8) | bytes[little ? bytes.Length - 1 - i : i];
        }

        if (field.BitLength is { } length)
        {
            var bits = (raw >> (field.BitOffset ?? 0)) & (length == 64 ? ulong.MaxValue : (1UL << length) - 1);
            return bits;
        }

        var width = 8 * bytes.Length;
        return IsSigned(field.Type) && width < 64 && (raw & (1UL << (width - 1))) != 0
            ? (long)raw - (1L << width)
            : IsSigned(field.Type) ? (long)raw : raw;
    }

    private static void CheckFields(List<BinaryField> fields, string where, Dictionary<string, string[]> errors)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < fields.Count; i++)
        {
            if (fields[i] is null) { errors[$"{where}[{i}]"] = ["A field cannot be null."]; continue; }
            CheckField(fields[i], $"{where}[{i}]", errors, allowAt: true);
            if (!fields[i].Skip && fields[i].Name is { } name && !names.Add(name)) errors[$"{where}[{i}].name"] = [$"\"{name}\" appears twice."];
        }
    }

    private static void CheckField(BinaryField field, string where, Dictionary<string, string[]> errors, bool allowAt)
    {
        if (!field.Skip && string.IsNullOrWhiteSpace(field.Name)) errors[$"{where}.name"] = ["A field needs a name (or skip: true for padding)."];
        if (field.At is < 0 or > 65_535) errors[$"{where}.at"] = ["An offset is 0 to 65,535."];
        if (field.BitOffset is < 0 or > 63) errors[$"{where}.bitOffset"] = ["A bit offset is 0 to 63."];
        if (field.Enum?.Keys.FirstOrDefault(k => !long.TryParse(k, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out _)) is { } badKey)
        {
            errors[$"{where}.enum"] = [$"Enum keys are the raw integer values; \"{badKey}\" is not one."];
        }
        if (!allowAt && field.At is not null) errors[$"{where}.at"] = ["A channel/type value follows its type byte: no offset."];
        if (!double.IsFinite(field.Scale) || field.Scale == 0) errors[$"{where}.scale"] = ["The scale must be a non-zero number."];
        var width = 8 * SizeOf(field.Type);
        if (field.BitLength is { } length)
        {
            if (field.Type is BinaryType.F32 or BinaryType.F64) errors[$"{where}.bitLength"] = ["Bit ranges are for integer types."];
            else if (length < 1 || length > 64 || (field.BitOffset ?? 0) < 0 || (field.BitOffset ?? 0) + length > width)
                errors[$"{where}.bitLength"] = [$"The bit range must lie within the field's {width} bits."];
        }
        else if (field.BitOffset is not null)
        {
            errors[$"{where}.bitLength"] = ["A bit offset needs a bit length."];
        }
    }

    public static int SizeOf(BinaryType type) => type switch
    {
        BinaryType.U8 or BinaryType.S8 => 1,
        BinaryType.U16 or BinaryType.S16 => 2,
        BinaryType.U24 or BinaryType.S24 => 3,
        BinaryType.U32 or BinaryType.S32 or BinaryType.F32 => 4,
        _ => 8,
    };

    private static bool IsSigned(BinaryType type) => type is BinaryType.S8 or BinaryType.S16 or BinaryType.S24 or BinaryType.S32 or BinaryType.S64;
}
