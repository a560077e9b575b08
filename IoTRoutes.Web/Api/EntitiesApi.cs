using IoTRoutes.Core;
using IoTRoutes.Core.Entities;
using IoTRoutes.Core.Security.Permissions;
using IoTRoutes.Web.Security;
using Microsoft.AspNetCore.Http.HttpResults;

namespace IoTRoutes.Web.Api;

public sealed record CreatedIdResponse(Guid Id);

public sealed record RenameEntityRequest(string? Name);

public sealed record MoveEntityRequest(Guid? ParentId);

public static class EntitiesApi
{
    private static readonly Permission View = Permission.View(SecuredObject.Entities);
    private static readonly Permission Manage = Permission.Manage(SecuredObject.Entities);

    public static IEndpointRouteBuilder MapEntitiesApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/v1/entities").WithTags("Entities").RequireAuthorization(WebSecurityExtensions.ApiPolicy);
        api.MapGet("/", ListAsync).WithName("ListEntities").WithSummary("List entities")
            .WithDescription("The caller's entity and everything below it, in tree order.").RequirePermission(View);
        api.MapGet("/{id:guid}", GetAsync).WithName("GetEntity").WithSummary("Get an entity")
            .WithDescription("One entity of the caller's tree; 404 outside it.").RequirePermission(View);
        api.MapPost("/", CreateAsync).WithName("CreateEntity").WithSummary("Create an entity")
            .WithDescription("Create an entity; parentId defaults to the caller's entity.").RequirePermission(Manage);
        api.MapPut("/{id:guid}", RenameAsync).WithName("RenameEntity").WithSummary("Rename an entity")
            .WithDescription("Give the entity a new name {name}.").RequirePermission(Manage);
        api.MapPost("/{id:guid}/move", MoveAsync).WithName("MoveEntity").WithSummary("Move an entity")
            .WithDescription("Move an entity, with everything below it.").RequirePermission(Manage);
        api.MapDelete("/{id:guid}", DeleteAsync).WithName("DeleteEntity").WithSummary("Delete an entity")
            .WithDescription("Delete an entity with nothing attached.").RequirePermission(Manage);
        return app;
    }

    private static async Task<Ok<IReadOnlyList<EntityDto>>> ListAsync(EntityService entities, CancellationToken ct) =>
        TypedResults.Ok(await entities.ListAsync(ct));

    private static async Task<Results<Ok<EntityDto>, ProblemHttpResult>> GetAsync(Guid id, EntityService entities, CancellationToken ct) =>
        await entities.FindAsync(id, ct) is { } entity ? TypedResults.Ok(entity) : NotFoundProblem.Entity(id);

    private static async Task<Results<Created<CreatedIdResponse>, ValidationProblem, ProblemHttpResult>> CreateAsync(
        CreateEntityRequest request, EntityService entities, CancellationToken ct)
    {
        var result = await entities.CreateAsync(request, ct);
        return ChangeResponses.Created(result, "/api/v1/entities", () => NotFoundProblem.Entity(request.ParentId ?? Guid.Empty));
    }

    private static async Task<Results<NoContent, ValidationProblem, ProblemHttpResult>> RenameAsync(
        Guid id, RenameEntityRequest request, EntityService entities, CancellationToken ct) =>
        ChangeResponses.NoContent(await entities.RenameAsync(id, request.Name, ct), () => NotFoundProblem.Entity(id));

    private static async Task<Results<NoContent, ValidationProblem, ProblemHttpResult>> MoveAsync(
        Guid id, MoveEntityRequest request, EntityService entities, CancellationToken ct)
    {
        if (request.ParentId is not { } parentId)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["parentId"] = ["Say where to move the entity."] });
        }

        return ChangeResponses.NoContent(await entities.MoveAsync(id, parentId, ct), () => NotFoundProblem.Entity(id));
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> DeleteAsync(Guid id, EntityService entities, CancellationToken ct)
    {
        var result = await entities.DeleteAsync(id, ct);
        return result.Outcome switch
        {
            ChangeOutcome.Done => TypedResults.NoContent(),
            ChangeOutcome.NotFound => NotFoundProblem.Entity(id),
            _ => TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Entity not empty",
                detail: result.Errors!.Values.SelectMany(v => v).First()),
        };
    }
}
