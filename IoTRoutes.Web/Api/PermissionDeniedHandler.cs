using IoTRoutes.Core.Security.Permissions;
using Microsoft.AspNetCore.Diagnostics;

namespace IoTRoutes.Web.Api;

/// <summary>A Core service refused an operation: 403 problem details naming the permission, not a 500.</summary>
internal sealed class PermissionDeniedHandler(IProblemDetailsService problems) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext context, Exception exception, CancellationToken cancellationToken)
    {
        if (exception is not PermissionDeniedException denied)
        {
            return false;
        }

        context.Response.StatusCode = StatusCodes.Status403Forbidden;
        return await problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            ProblemDetails = { Status = 403, Title = "Forbidden", Detail = $"This needs the permission {denied.Permission}." },
        });
    }
}
