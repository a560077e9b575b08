using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace IoTRoutes.Core.Storage.Migrations.Sqlite
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
                type: "INTEGER",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.AddColumn<bool>(
                name: "CancelRequested",
                table: "WorkflowRuns",
                type: "INTEGER",
                nullable: false,
                defaultValue: false);

            migrationBuilder.AddColumn<long>(
                name: "EndedAt",
                table: "WorkflowRuns",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddColumn<long>(
                name: "NotBefore",
                table: "WorkflowRuns",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "Owner",
                table: "WorkflowRuns",
                type: "TEXT",
                maxLength: 200,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "Parameters",
                table: "WorkflowRuns",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<long>(
                name: "QueuedAt",
                table: "WorkflowRuns",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "RequestedBy",
                table: "WorkflowRuns",
                type: "TEXT",
                maxLength: 256,
                nullable: true);

            migrationBuilder.AddColumn<long>(
                name: "ScheduledFor",
                table: "WorkflowRuns",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "Status",
                table: "WorkflowRuns",
                type: "TEXT",
                maxLength: 16,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "Trigger",
                table: "WorkflowRuns",
                type: "TEXT",
                maxLength: 64,
                nullable: true);

            migrationBuilder.CreateTable(
                name: "JobSchedules",
                columns: table => new
                {
                    WorkflowId = table.Column<Guid>(type: "TEXT", nullable: false),
                    Version = table.Column<int>(type: "INTEGER", nullable: false),
                    NextAt = table.Column<long>(type: "INTEGER", nullable: true),
                    LastAt = table.Column<long>(type: "INTEGER", nullable: true)
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
