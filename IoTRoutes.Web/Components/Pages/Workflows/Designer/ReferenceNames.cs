using IoTRoutes.Core.Workflows.Definitions;
using IoTRoutes.Core.Workflows.Engine;

namespace IoTRoutes.Web.Components.Pages.Workflows.Designer;

/// <summary>How a reference picker shows an id: its name, or, when the workflow cannot name it, the id as "unknown".</summary>
internal static class ReferenceNames
{
    public static string Of(SettingReference kind, ReferenceOption option) =>
        option.Detail is { Length: > 0 } detail && kind != SettingReference.Entity ? $"{option.Name} ({detail})" : option.Name;

    public static string Unknown(Guid id) => $"Unknown {id.ToString()[..8]}…";

    public static string UnknownMessage(SettingReference kind) => kind.IsCommunicator()
        ? $"This is not {Article(kind)} {kind.Noun()} of this workflow's entity or above it, or it was deleted: pick another."
        : $"This {kind.Noun()} is not in this workflow's part of the entity tree, or was deleted: pick another.";

    public static string UnknownInListMessage(SettingReference kind) =>
        $"The {kind.Noun()}s in red are not in this workflow's part of the entity tree, or were deleted: remove them.";

    private static string Article(SettingReference kind) => kind.Noun()[0] is 'a' or 'e' or 'i' or 'o' or 'u' or 'H' or 'M' ? "an" : "a";

    public static string NotAnId(SettingReference kind) => $"Not {Article(kind)} {kind.Noun()} id: pick one by name.";
}
