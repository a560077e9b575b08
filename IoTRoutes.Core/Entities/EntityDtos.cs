namespace IoTRoutes.Core.Entities;

public sealed record EntityDto(Guid Id, string Name, EntityType Type, Guid? ParentId, int Depth);

public sealed record CreateEntityRequest(string? Name, EntityType? Type, Guid? ParentId = null);
