using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace IoTRoutes.Core.Storage.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class BrokerConnectLimits : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<int>(
                name: "ConnectTimeoutSeconds",
                table: "Brokers",
                type: "INTEGER",
                nullable: false,
                defaultValue: 10); // existing brokers get the default CONNECT timeout

            migrationBuilder.AddColumn<int>(
                name: "MaxPendingConnects",
                table: "Brokers",
                type: "INTEGER",
                nullable: false,
                defaultValue: 1000); // and the default bounds on connections awaiting CONNECT

            migrationBuilder.AddColumn<int>(
                name: "MaxPendingConnectsPerAddress",
                table: "Brokers",
                type: "INTEGER",
                nullable: false,
                defaultValue: 64);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "ConnectTimeoutSeconds",
                table: "Brokers");

            migrationBuilder.DropColumn(
                name: "MaxPendingConnects",
                table: "Brokers");

            migrationBuilder.DropColumn(
                name: "MaxPendingConnectsPerAddress",
                table: "Brokers");
        }
    }
}
