using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace IoTRoutes.Core.Storage.Migrations.SqlServer
{
    /// <inheritdoc />
    public partial class WorkflowActivations : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "WorkflowActivations",
                columns: table => new
                {
                    WorkflowId = table.Column<Guid>(type: "uniqueidentifier", nullable: false),
                    ActivatedAt = table.Column<DateTimeOffset>(type: "datetimeoffset", nullable: false),
                    Version = table.Column<int>(type: "int", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_WorkflowActivations", x => new { x.WorkflowId, x.ActivatedAt });
                    table.ForeignKey(
                        name: "FK_WorkflowActivations_Workflows_WorkflowId",
                        column: x => x.WorkflowId,
                        principalTable: "Workflows",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            // Until now every publish activated its version at once: the history so far is the versions' publication times.
            migrationBuilder.Sql("INSERT INTO [WorkflowActivations] ([WorkflowId], [Version], [ActivatedAt]) SELECT [WorkflowId], [Version], [PublishedAt] FROM [WorkflowVersions];");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "WorkflowActivations");
        }
    }
}
