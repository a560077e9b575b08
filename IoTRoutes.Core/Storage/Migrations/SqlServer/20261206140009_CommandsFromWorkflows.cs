using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace IoTRoutes.Core.Storage.Migrations.SqlServer
{
    /// <inheritdoc />
    public partial class CommandsFromWorkflows : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "EffectKey",
                table: "Commands",
                type: "nvarchar(128)",
                maxLength: 128,
                nullable: true);

            migrationBuilder.AddColumn<Guid>(
                name: "WorkflowId",
                table: "Commands",
                type: "uniqueidentifier",
                nullable: true);

            migrationBuilder.CreateIndex(
                name: "IX_Commands_EffectKey",
                table: "Commands",
                column: "EffectKey",
                unique: true,
                filter: "[EffectKey] IS NOT NULL");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_Commands_EffectKey",
                table: "Commands");

            migrationBuilder.DropColumn(
                name: "EffectKey",
                table: "Commands");

            migrationBuilder.DropColumn(
                name: "WorkflowId",
                table: "Commands");
        }
    }
}
