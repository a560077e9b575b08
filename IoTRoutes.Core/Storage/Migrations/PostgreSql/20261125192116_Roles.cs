using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

#pragma warning disable CA1814 // Prefer jagged arrays over multidimensional

namespace IoTRoutes.Core.Storage.Migrations.PostgreSql
{
    /// <inheritdoc />
    public partial class Roles : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "Roles",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    Name = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: false),
                    Description = table.Column<string>(type: "character varying(500)", maxLength: 500, nullable: true),
                    IsBuiltIn = table.Column<bool>(type: "boolean", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_Roles", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "RoleAction",
                columns: table => new
                {
                    RoleId = table.Column<Guid>(type: "uuid", nullable: false),
                    Action = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_RoleAction", x => new { x.RoleId, x.Action });
                    table.ForeignKey(
                        name: "FK_RoleAction_Roles_RoleId",
                        column: x => x.RoleId,
                        principalTable: "Roles",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "RoleGrant",
                columns: table => new
                {
                    RoleId = table.Column<Guid>(type: "uuid", nullable: false),
                    Object = table.Column<string>(type: "character varying(50)", maxLength: 50, nullable: false),
                    Level = table.Column<int>(type: "integer", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_RoleGrant", x => new { x.RoleId, x.Object });
                    table.ForeignKey(
                        name: "FK_RoleGrant_Roles_RoleId",
                        column: x => x.RoleId,
                        principalTable: "Roles",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "UserRoles",
                columns: table => new
                {
                    UserId = table.Column<Guid>(type: "uuid", nullable: false),
                    RoleId = table.Column<Guid>(type: "uuid", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_UserRoles", x => new { x.UserId, x.RoleId });
                    table.ForeignKey(
                        name: "FK_UserRoles_Roles_RoleId",
                        column: x => x.RoleId,
                        principalTable: "Roles",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "FK_UserRoles_Users_UserId",
                        column: x => x.UserId,
                        principalTable: "Users",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.InsertData(
                table: "Roles",
                columns: new[] { "Id", "Description", "IsBuiltIn", "Name" },
                values: new object[,]
                {
                    { new Guid("00000000-0000-0000-0001-000000000001"), "Everything, within the user's entity.", true, "Administrator" },
                    { new Guid("00000000-0000-0000-0001-000000000002"), "Runs the platform: devices, brokers, jobs; no users or roles.", true, "Operator" },
                    { new Guid("00000000-0000-0000-0001-000000000003"), "Sees its devices and their data, and sends them commands.", true, "Client" }
                });

            migrationBuilder.InsertData(
                table: "RoleAction",
                columns: new[] { "Action", "RoleId" },
                values: new object[,]
                {
                    { "Brokers.Activate", new Guid("00000000-0000-0000-0001-000000000001") },
                    { "Devices.RegenerateSecret", new Guid("00000000-0000-0000-0001-000000000001") },
                    { "Devices.SendCommand", new Guid("00000000-0000-0000-0001-000000000001") },
                    { "Jobs.RunNow", new Guid("00000000-0000-0000-0001-000000000001") },
                    { "Messages.Export", new Guid("00000000-0000-0000-0001-000000000001") },
                    { "Users.ResetPassword", new Guid("00000000-0000-0000-0001-000000000001") },
                    { "Workflows.Publish", new Guid("00000000-0000-0000-0001-000000000001") },
                    { "Brokers.Activate", new Guid("00000000-0000-0000-0001-000000000002") },
                    { "Devices.RegenerateSecret", new Guid("00000000-0000-0000-0001-000000000002") },
                    { "Devices.SendCommand", new Guid("00000000-0000-0000-0001-000000000002") },
                    { "Jobs.RunNow", new Guid("00000000-0000-0000-0001-000000000002") },
                    { "Messages.Export", new Guid("00000000-0000-0000-0001-000000000002") },
                    { "Workflows.Publish", new Guid("00000000-0000-0000-0001-000000000002") },
                    { "Devices.SendCommand", new Guid("00000000-0000-0000-0001-000000000003") }
                });

            migrationBuilder.InsertData(
                table: "RoleGrant",
                columns: new[] { "Object", "RoleId", "Level" },
                values: new object[,]
                {
                    { "Alerts", new Guid("00000000-0000-0000-0001-000000000001"), 2 },
                    { "AuditLog", new Guid("00000000-0000-0000-0001-000000000001"), 2 },
                    { "Brokers", new Guid("00000000-0000-0000-0001-000000000001"), 2 },
                    { "Communicators", new Guid("00000000-0000-0000-0001-000000000001"), 2 },
                    { "Devices", new Guid("00000000-0000-0000-0001-000000000001"), 2 },
                    { "Entities", new Guid("00000000-0000-0000-0001-000000000001"), 2 },
                    { "Files", new Guid("00000000-0000-0000-0001-000000000001"), 2 },
                    { "Jobs", new Guid("00000000-0000-0000-0001-000000000001"), 2 },
                    { "MessageFormats", new Guid("00000000-0000-0000-0001-000000000001"), 2 },
                    { "Messages", new Guid("00000000-0000-0000-0001-000000000001"), 2 },
                    { "Roles", new Guid("00000000-0000-0000-0001-000000000001"), 2 },
                    { "Settings", new Guid("00000000-0000-0000-0001-000000000001"), 2 },
                    { "Users", new Guid("00000000-0000-0000-0001-000000000001"), 2 },
                    { "Workflows", new Guid("00000000-0000-0000-0001-000000000001"), 2 },
                    { "Alerts", new Guid("00000000-0000-0000-0001-000000000002"), 2 },
                    { "Brokers", new Guid("00000000-0000-0000-0001-000000000002"), 2 },
                    { "Communicators", new Guid("00000000-0000-0000-0001-000000000002"), 2 },
                    { "Devices", new Guid("00000000-0000-0000-0001-000000000002"), 2 },
                    { "Entities", new Guid("00000000-0000-0000-0001-000000000002"), 1 },
                    { "Files", new Guid("00000000-0000-0000-0001-000000000002"), 2 },
                    { "Jobs", new Guid("00000000-0000-0000-0001-000000000002"), 2 },
                    { "MessageFormats", new Guid("00000000-0000-0000-0001-000000000002"), 2 },
                    { "Messages", new Guid("00000000-0000-0000-0001-000000000002"), 1 },
                    { "Workflows", new Guid("00000000-0000-0000-0001-000000000002"), 2 },
                    { "Alerts", new Guid("00000000-0000-0000-0001-000000000003"), 1 },
                    { "Devices", new Guid("00000000-0000-0000-0001-000000000003"), 1 },
                    { "Files", new Guid("00000000-0000-0000-0001-000000000003"), 1 },
                    { "Messages", new Guid("00000000-0000-0000-0001-000000000003"), 1 }
                });

            migrationBuilder.CreateIndex(
                name: "IX_Roles_Name",
                table: "Roles",
                column: "Name",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_UserRoles_RoleId",
                table: "UserRoles",
                column: "RoleId");

            // Users from before roles existed were all administrators.
            migrationBuilder.Sql("INSERT INTO \"UserRoles\" (\"UserId\", \"RoleId\") SELECT \"Id\", '00000000-0000-0000-0001-000000000001' FROM \"Users\"");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "RoleAction");

            migrationBuilder.DropTable(
                name: "RoleGrant");

            migrationBuilder.DropTable(
                name: "UserRoles");

            migrationBuilder.DropTable(
                name: "Roles");
        }
    }
}
