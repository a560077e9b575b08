using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace IoTRoutes.Core.Storage.Migrations.PostgreSql
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
                    DeviceId = table.Column<Guid>(type: "uuid", nullable: false),
                    State = table.Column<int>(type: "integer", nullable: false),
                    Count = table.Column<long>(type: "bigint", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_MessageCounts", x => new { x.DeviceId, x.State });
                });

            // One trigger call per statement (a COPY of a whole batch is one), with the statement's rows as a table. The
            // changes are added in key order, so that two statements changing the same counts lock them in the same order
            // (no deadlock), and an UPDATE that leaves device and state alone locks none.
            migrationBuilder.Sql("""
                CREATE FUNCTION "MessageCounts_Apply"() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    -- One net change per device and state, applied in key order by one upsert.
                    IF TG_OP = 'INSERT' THEN
                        INSERT INTO "MessageCounts" ("DeviceId", "State", "Count")
                        SELECT "DeviceId", "State", count(*) FROM new_rows GROUP BY 1, 2 ORDER BY 1, 2
                        ON CONFLICT ("DeviceId", "State") DO UPDATE SET "Count" = "MessageCounts"."Count" + excluded."Count";
                    ELSIF TG_OP = 'DELETE' THEN
                        INSERT INTO "MessageCounts" ("DeviceId", "State", "Count")
                        SELECT "DeviceId", "State", -count(*) FROM old_rows GROUP BY 1, 2 ORDER BY 1, 2
                        ON CONFLICT ("DeviceId", "State") DO UPDATE SET "Count" = "MessageCounts"."Count" + excluded."Count";
                    ELSE
                        INSERT INTO "MessageCounts" ("DeviceId", "State", "Count")
                        SELECT "DeviceId", "State", sum(n) FROM (
                            SELECT "DeviceId", "State", -1 AS n FROM old_rows
                            UNION ALL
                            SELECT "DeviceId", "State", 1 FROM new_rows) AS changes
                        GROUP BY 1, 2 HAVING sum(n) <> 0 ORDER BY 1, 2
                        ON CONFLICT ("DeviceId", "State") DO UPDATE SET "Count" = "MessageCounts"."Count" + excluded."Count";
                    END IF;
                    RETURN NULL;
                END $$;
                CREATE TRIGGER "Messages_Counted_Insert" AFTER INSERT ON "Messages"
                    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION "MessageCounts_Apply"();
                CREATE TRIGGER "Messages_Counted_Update" AFTER UPDATE ON "Messages"
                    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION "MessageCounts_Apply"();
                CREATE TRIGGER "Messages_Counted_Delete" AFTER DELETE ON "Messages"
                    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION "MessageCounts_Apply"();
                INSERT INTO "MessageCounts" ("DeviceId", "State", "Count")
                SELECT "DeviceId", "State", count(*) FROM "Messages" GROUP BY 1, 2;
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""
                DROP TRIGGER "Messages_Counted_Insert" ON "Messages";
                DROP TRIGGER "Messages_Counted_Update" ON "Messages";
                DROP TRIGGER "Messages_Counted_Delete" ON "Messages";
                DROP FUNCTION "MessageCounts_Apply"();
                """);
            migrationBuilder.DropTable(
                name: "MessageCounts");
        }
    }
}
