using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace IoTRoutes.Core.Storage.Migrations.SqlServer
{
    /// <inheritdoc />
    public partial class ReceivedOnlyStateIndex : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_Messages_State",
                table: "Messages");

            migrationBuilder.CreateIndex(
                name: "IX_Messages_State",
                table: "Messages",
                column: "State",
                filter: "[State] = 0");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_Messages_State",
                table: "Messages");

            migrationBuilder.CreateIndex(
                name: "IX_Messages_State",
                table: "Messages",
                column: "State");
        }
    }
}
