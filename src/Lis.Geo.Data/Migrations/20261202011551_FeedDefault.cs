using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Lis.Geo.Data.Migrations
{
    /// <inheritdoc />
    public partial class FeedDefault : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<bool>(
                name: "is_default",
                table: "transit_feed",
                type: "boolean",
                nullable: false,
                defaultValue: false);

            migrationBuilder.AddColumn<string>(
                name: "not_routable_reason",
                table: "transit_feed",
                type: "text",
                nullable: true);

            migrationBuilder.CreateIndex(
                name: "ux_transit_feed_one_default",
                table: "transit_feed",
                column: "is_default",
                unique: true,
                filter: "is_default");

            // Feeds stored before this: the same routability rule as FeedStore.NotRoutableReason on their
            // row counts, and the feed that was the default by being the latest stored stays the default,
            // now explicitly, so upgrading changes no run's feed.
            migrationBuilder.Sql("""
                UPDATE transit_feed SET not_routable_reason = 'The feed has no trips or no stop times, or its calendar has no day of service; nothing can be routed on it.'
                WHERE coalesce((row_counts->>'trips.txt')::bigint, 0) = 0 OR coalesce((row_counts->>'stop_times.txt')::bigint, 0) = 0 OR valid_from IS NULL;
                UPDATE transit_feed SET is_default = true
                WHERE id = (SELECT max(id) FROM transit_feed WHERE not_routable_reason IS NULL);
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "ux_transit_feed_one_default",
                table: "transit_feed");

            migrationBuilder.DropColumn(
                name: "is_default",
                table: "transit_feed");

            migrationBuilder.DropColumn(
                name: "not_routable_reason",
                table: "transit_feed");
        }
    }
}
