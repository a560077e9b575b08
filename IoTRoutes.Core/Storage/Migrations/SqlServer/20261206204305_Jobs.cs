using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace IoTRoutes.Core.Storage.Migrations.SqlServer
{
    /// <inheritdoc />
    public partial class Jobs : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<int>(
                name: "Attempt",
                table: "WorkflowRuns",
                type: "int",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.AddColumn<bool>(
                name: "CancelRequested",
                table: "WorkflowRuns",
                type: "bit",
                nullable: false,
                defaultValue: false);

            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "EndedAt",
                table: "WorkflowRuns",
                type: "datetimeoffset",
                nullable: true);

            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "NotBefore",
                table: "WorkflowRuns",
                type: "datetimeoffset",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "Owner",
                table: "WorkflowRuns",
                type: "nvarchar(200)",
                maxLength: 200,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "Parameters",
                table: "WorkflowRuns",
                type: "nvarchar(max)",
                nullable: true);

            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "QueuedAt",
                table: "WorkflowRuns",
                type: "datetimeoffset",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "RequestedBy",
                table: "WorkflowRuns",
                type: "nvarchar(256)",
                maxLength: 256,
                nullable: true);

            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "ScheduledFor",
                table: "WorkflowRuns",
                type: "datetimeoffset",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "Status",
                table: "WorkflowRuns",
                type: "nvarchar(16)",
                maxLength: 16,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "Trigger",
                table: "WorkflowRuns",
                type: "nvarchar(64)",
                maxLength: 64,
                nullable: true);

            migrationBuilder.CreateTable(
                name: "JobSchedules",
                columns: table => new
                {
                    WorkflowId = table.Column<Guid>(type: "uniqueidentifier", nullable: false),
                    Version = table.Column<int>(type: "int", nullable: false),
                    NextAt = table.Column<DateTimeOffset>(type: "datetimeoffset", nullable: true),
                    LastAt = table.Column<DateTimeOffset>(type: "datetimeoffset", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_JobSchedules", x => x.WorkflowId);
                });

            migrationBuilder.CreateIndex(
                name: "IX_WorkflowRuns_Status_NotBefore",
                table: "WorkflowRuns",
                columns: new[] { "Status", "NotBefore" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "JobSchedules");

            migrationBuilder.DropIndex(
                name: "IX_WorkflowRuns_Status_NotBefore",
                table: "WorkflowRuns");

            migrationBuilder.DropColumn(
                name: "Attempt",
                table: "WorkflowRuns");

            migrationBuilder.DropColumn(
                name: "CancelRequested",
                table: "WorkflowRuns");

            migrationBuilder.DropColumn(
                name: "EndedAt",
                table: "WorkflowRuns");

            migrationBuilder.DropColumn(
                name: "NotBefore",
                table: "WorkflowRuns");

            migrationBuilder.DropColumn(
                name: "Owner",
                table: "WorkflowRuns");

            migrationBuilder.DropColumn(
                name: "Parameters",
                table: "WorkflowRuns");

            migrationBuilder.DropColumn(
                name: "QueuedAt",
                table: "WorkflowRuns");

            migrationBuilder.DropColumn(
                name: "RequestedBy",
                table: "WorkflowRuns");

            migrationBuilder.DropColumn(
                name: "ScheduledFor",
                table: "WorkflowRuns");

            migrationBuilder.DropColumn(
                name: "Status",
                table: "WorkflowRuns");

            migrationBuilder.DropColumn(
                name: "Trigger",
                table: "WorkflowRuns");
        }
    }
}
