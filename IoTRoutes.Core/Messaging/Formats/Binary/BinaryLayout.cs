namespace IoTRoutes.Core.Messaging.Formats.Binary;

public enum Endianness
{
    Big,
    Little,
}

/// <summary>Integer and floating-point types of a binary field, named as Kaitai Struct names them.</summary>
public enum BinaryType
{
    U8, U16, U24, U32, U64,
    S8, S16, S24, S32, S64,
    F32, F64,
}

/// <summary>
/// One field of a binary layout. It is read at byte <see cref="At"/>, or where the previous field ended; a bit range
/// (<see cref="BitOffset"/> from the least significant bit, <see cref="BitLength"/> bits) takes part of the integer;
/// then <c>value × scale + offset</c>, or the <see cref="Enum"/> label of the raw value. <see cref="Skip"/>: padding.
/// </summary>
public sealed record BinaryField(
    string? Name, BinaryType Type, int? At = null, int? BitOffset = null, int? BitLength = null, Endianness? Endianness = null,
    double Scale = 1, double Offset = 0, string? Unit = null, Dictionary<string, string>? Enum = null, bool Skip = false);

/// <summary>
/// The settings of a <c>Binary</c> format, the vocabulary of Kaitai Struct interpreted rather than compiled:
/// <list type="bullet">
/// <item><see cref="Fields"/>: the layout, in order;</item>
/// <item><see cref="DiscriminatorAt"/> + <see cref="Layouts"/>: the byte at that offset picks the layout (keys are its
/// decimal value); fields are then read from the byte after it;</item>
/// <item><see cref="Repeat"/>: the layout repeats to the end of the payload, giving <c>readings</c>;</item>
/// <item><see cref="Types"/>: channel/type records (TLV): [channel][type][value as the type's field] each, giving
/// <c>&lt;name&gt;_&lt;channel&gt;</c> keys as Cayenne LPP does.</item>
/// </list>
/// </summary>
public sealed record BinaryLayout(
    Endianness Endianness = Endianness.Big, List<BinaryField>? Fields = null, int? DiscriminatorAt = null,
    Dictionary<string, List<BinaryField>>? Layouts = null, bool Repeat = false, Dictionary<string, BinaryField>? Types = null);
