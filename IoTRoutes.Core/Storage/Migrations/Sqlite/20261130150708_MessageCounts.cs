using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace IoTRoutes.Core.Storage.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class MessageCounts : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "MessageCounts",
                columns: table => new
                {
                    DeviceId = table.Column<Guid>(type: "TEXT", nullable: false),
                    State = table.Column<int>(type: "INTEGER", nullable: false),
                    Count = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_MessageCounts", x => new { x.DeviceId, x.State });
                });

            // SQLite's triggers run per row: an upsert into a table of a few rows per device, beside the message's own insert.
            migrationBuilder.Sql("""
                CREATE TRIGGER "Messages_Counted_Insert" AFTER INSERT ON "Messages" BEGIN
                    INSERT INTO "MessageCounts" ("DeviceId", "State", "Count") VALUES (NEW."DeviceId", NEW."State", 1)
                    ON CONFLICT ("DeviceId", "State") DO UPDATE SET "Count" = "Count" + 1;
                END;
                """);
            migrationBuilder.Sql("""
                CREATE TRIGGER "Messages_Counted_Update" AFTER UPDATE OF "DeviceId", "State" ON "Messages" BEGIN
                    UPDATE "MessageCounts" SET "Count" = "Count" - 1 WHERE "DeviceId" = OLD."DeviceId" AND "State" = OLD."State";
                    INSERT INTO "MessageCounts" ("DeviceId", "State", "Count") VALUES (NEW."DeviceId", NEW."State", 1)
                    ON CONFLICT ("DeviceId", "State") DO UPDATE SET "Count" = "Count" + 1;
                END;
                """);
            migrationBuilder.Sql("""
                CREATE TRIGGER "Messages_Counted_Delete" AFTER DELETE ON "Messages" BEGIN
                    UPDATE "MessageCounts" SET "Count" = "Count" - 1 WHERE "DeviceId" = OLD."DeviceId" AND "State" = OLD."State";
                END;
                """);
            migrationBuilder.Sql("""
                INSERT INTO "MessageCounts" ("DeviceId", "State", "Count")
                SELECT "DeviceId", "State", count(*) FROM "Messages" GROUP BY "DeviceId", "State";
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("DROP TRIGGER \"Messages_Counted_Insert\";");
            migrationBuilder.Sql("DROP TRIGGER \"Messages_Counted_Update\";");
            migrationBuilder.Sql("DROP TRIGGER \"Messages_Counted_Delete\";");
            migrationBuilder.DropTable(
                name: "MessageCounts");
        }
    }
}
