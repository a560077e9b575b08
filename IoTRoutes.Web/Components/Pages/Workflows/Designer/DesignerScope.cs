namespace IoTRoutes.Web.Components.Pages.Workflows.Designer;

/// <summary>Cascaded from the designer to the setting editors that look things up for the workflow (reference pickers).</summary>
public sealed record DesignerScope(Guid WorkflowId);
