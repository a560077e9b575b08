using System.Xml.Linq;
using IoTRoutes.Core.Storage;
using Microsoft.AspNetCore.DataProtection.Repositories;
using Microsoft.EntityFrameworkCore;

namespace IoTRoutes.Core.Communicators;

/// <summary>A Data Protection key as stored: one row per key, its XML as Data Protection wrote it.</summary>
public sealed class DataProtectionKeyRow
{
    public int Id { get; set; }
    public string? FriendlyName { get; set; }
    public required string Xml { get; set; }
}

/// <summary>
/// Keeps the Data Protection key ring in the platform's database: every node sharing the database decrypts what another
/// encrypted (communicators' secrets, sign-in cookies), and a backup of the database carries its keys.
/// </summary>
internal sealed class DatabaseKeyRepository(IDbContextFactory<AppDbContext> contexts) : IXmlRepository
{
    public IReadOnlyCollection<XElement> GetAllElements()
    {
        using var db = contexts.CreateDbContext();
        return db.DataProtectionKeys.AsNoTracking().OrderBy(k => k.Id).Select(k => k.Xml).AsEnumerable().Select(XElement.Parse).ToList();
    }

    public void StoreElement(XElement element, string friendlyName)
    {
        using var db = contexts.CreateDbContext();
        db.DataProtectionKeys.Add(new DataProtectionKeyRow { FriendlyName = friendlyName, Xml = element.ToString(SaveOptions.DisableFormatting) });
        db.SaveChanges();
    }
}
