using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Nodes;
using IoTRoutes.Core.Storage;
using Microsoft.EntityFrameworkCore;

namespace IoTRoutes.Core.Messaging.Formats;

/// <summary>
/// Which profile each device has, and each profile compiled, for the intake path: read from the database once, then
/// kept. Changes made here are applied at once (<see cref="Forget"/>); entries also expire after
/// <see cref="Lifetime"/>, so a change made on another node reaches this one within that time. The intake writers call
/// it from their own threads, hence the synchronous reads.
/// </summary>
public sealed class FormatCatalog(IDbContextFactory<AppDbContext> contexts, TimeProvider clock)
{
    public static readonly TimeSpan Lifetime = TimeSpan.FromSeconds(30);

    private readonly ConcurrentDictionary<Guid, (Guid? ProfileId, DateTimeOffset LoadedAt)> _devices = new();
    private readonly ConcurrentDictionary<Guid, (ProfileDecoding? Profile, DateTimeOffset LoadedAt)> _profiles = new();

    // Bumped by Forget: a load that began before a change must not put its stale result back.
    private long _generation;

    /// <summary>The device's profile ready for decoding, or null when it has none.</summary>
    public ProfileDecoding? For(Guid deviceId)
    {
        var now = clock.GetUtcNow();
        var generation = Interlocked.Read(ref _generation);
        if (!_devices.TryGetValue(deviceId, out var device) || now - device.LoadedAt > Lifetime)
        {
            using var db = contexts.CreateDbContext();
            device = (db.Devices.Where(d => d.Id == deviceId).Select(d => d.ProfileId).FirstOrDefault(), now);
            if (Interlocked.Read(ref _generation) == generation) _devices[deviceId] = device;
        }

        if (device.ProfileId is not { } profileId)
        {
            return null;
        }

        if (!_profiles.TryGetValue(profileId, out var profile) || now - profile.LoadedAt > Lifetime)
        {
            profile = (Load(profileId), now);
            if (Interlocked.Read(ref _generation) == generation) _profiles[profileId] = profile;
        }

        return profile.Profile;
    }

    /// <summary>Forgets everything: the next message of each device reads its profile again.</summary>
    public void Forget()
    {
        Interlocked.Increment(ref _generation);
        _devices.Clear();
        _profiles.Clear();
    }

    /// <summary>A profile compiled from the stored rows (used by the intake and by the editor's preview alike).</summary>
    private ProfileDecoding? Load(Guid profileId)
    {
        using var db = contexts.CreateDbContext();
        var profile = db.Profiles.AsNoTracking().Where(p => p.Id == profileId).Select(p => new { p.Name, p.Variables }).FirstOrDefault();
        if (profile is null)
        {
            return null; // deleted meanwhile: the device is read as one without a profile
        }

        var formats = db.ProfileFormats.Where(pf => pf.ProfileId == profileId).OrderBy(pf => pf.Position)
            .Join(db.Formats, pf => pf.FormatId, f => f.Id, (pf, f) => f).AsNoTracking().ToList();
        return new ProfileDecoding(profileId, profile.Name, formats.ConvertAll(Compile), Variables(profile.Variables));
    }

    internal static ProfileFormat Compile(MessageFormat f)
    {
        var discriminator = f.Discriminator is null ? null : JsonSerializer.Deserialize<Discriminator>(f.Discriminator, FormatCompiler.SettingsJson);
        var (compiled, errors) = FormatCompiler.Compile(f.Kind, JsonNode.Parse(f.Settings) as JsonObject ?? []);
        var problem = compiled is null ? string.Join(" ", errors.Select(e => $"{e.Key}: {e.Value[0]}")) : null;
        return new ProfileFormat(f.Id, f.Name, f.Version, f.ExchangeType, f.TopicPattern,
            discriminator is null ? null : new DiscriminatorMatch(discriminator), f.FPort, compiled, problem, f.Kind);
    }

    internal static readonly IReadOnlyDictionary<string, string> NoVariables = new Dictionary<string, string>();

    internal static IReadOnlyDictionary<string, string> Variables(string json) =>
        JsonSerializer.Deserialize<Dictionary<string, string>>(json) ?? [];
}
