namespace IoTRoutes.Core.Messaging.Formats.Script;

/// <summary>
/// The settings of a <c>Script</c> format: JavaScript with the LoRa Alliance TS013 codec contract (<c>decodeUplink</c>,
/// <c>encodeDownlink</c>, <c>decodeDownlink</c>, optional <c>normalizeUplink</c>) or the legacy <c>Decoder(bytes, port)</c>,
/// and the sandbox's limits per call.
/// </summary>
public sealed record ScriptSettings(
    string? Script = null,
    int TimeoutMilliseconds = 100,
    int MaxStatements = 1_000_000,
    int MemoryKilobytes = 16 * 1024,
    int MaxRecursion = 100,
    int MaxScriptKilobytes = 256);
