namespace IoTRoutes.Core.Entities;

public enum EntityType
{
    Platform,
    Organisation,
    SubOrganisation,
    Customer,
    Person,
}

/// <summary>A node of the entity tree. Everything owned (devices, users, …) belongs to one; a user sees its entity and below.</summary>
public sealed class Entity
{
    public Guid Id { get; set; }
    public required string Name { get; set; }
    public EntityType Type { get; set; }
    public Guid? ParentId { get; set; }

    /// <summary>Ids from the root down to this entity, as <c>/root/…/this/</c>: "E and below" is one prefix test.</summary>
    public required string Path { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public static string PathOf(string parentPath, Guid id) => $"{parentPath}{id:N}/";
}

/// <summary>The platform's root entity, created by the first migration.</summary>
public static class RootEntity
{
    public static readonly Guid Id = new("00000000-0000-0000-0000-000000000001");
    public static readonly string Path = Entity.PathOf("/", Id);
    public const string Name = "Platform";
}
