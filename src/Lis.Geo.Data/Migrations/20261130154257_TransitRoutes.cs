using Microsoft.EntityFrameworkCore.Migrations;
using NetTopologySuite.Geometries;

#nullable disable

namespace Lis.Geo.Data.Migrations
{
    /// <inheritdoc />
    public partial class TransitRoutes : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "transit_route",
                columns: table => new
                {
                    feed_id = table.Column<long>(type: "bigint", nullable: false),
                    route_id = table.Column<string>(type: "text", nullable: false),
                    agency_id = table.Column<string>(type: "text", nullable: true),
                    agency_name = table.Column<string>(type: "text", nullable: true),
                    short_name = table.Column<string>(type: "text", nullable: true),
                    long_name = table.Column<string>(type: "text", nullable: true),
                    route_type = table.Column<int>(type: "integer", nullable: true),
                    color = table.Column<string>(type: "text", nullable: true),
                    text_color = table.Column<string>(type: "text", nullable: true),
                    trip_count = table.Column<int>(type: "integer", nullable: false),
                    geometry_source = table.Column<string>(type: "text", nullable: false),
                    geom = table.Column<MultiLineString>(type: "geometry(MultiLineString,4326)", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_transit_route", x => new { x.feed_id, x.route_id });
                    table.CheckConstraint("ck_transit_route_geometry_source", "geometry_source IN ('shapes', 'stops', 'mixed')");
                    table.ForeignKey(
                        name: "fk_transit_route_transit_feed_feed_id",
                        column: x => x.feed_id,
                        principalTable: "transit_feed",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "ix_transit_route_geom",
                table: "transit_route",
                column: "geom")
                .Annotation("Npgsql:IndexMethod", "gist");

            migrationBuilder.CreateIndex(
                name: "ix_transit_route_route_type",
                table: "transit_route",
                column: "route_type");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "transit_route");
        }
    }
}
