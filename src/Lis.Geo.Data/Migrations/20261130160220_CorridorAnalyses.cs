using System;
using Microsoft.EntityFrameworkCore.Migrations;
using NetTopologySuite.Geometries;

#nullable disable

namespace Lis.Geo.Data.Migrations
{
    /// <inheritdoc />
    public partial class CorridorAnalyses : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "kind",
                table: "analysis_point",
                type: "text",
                nullable: false,
                defaultValue: "");

            // Existing runs: origins were zones; destinations were sites in site-access runs, centres otherwise.
            migrationBuilder.Sql("""
                UPDATE analysis_point p SET kind = CASE WHEN p.is_origin THEN 'zone' WHEN r.destination_set LIKE 'sites:%' THEN 'site' ELSE 'centre' END
                FROM analysis_run r WHERE r.id = p.run_id
                """);
            migrationBuilder.Sql("ALTER TABLE analysis_point ALTER COLUMN kind DROP DEFAULT");

            migrationBuilder.CreateTable(
                name: "analysis_isochrone",
                columns: table => new
                {
                    run_id = table.Column<long>(type: "bigint", nullable: false),
                    origin_index = table.Column<int>(type: "integer", nullable: false),
                    cutoff_minutes = table.Column<int>(type: "integer", nullable: false),
                    geom = table.Column<MultiPolygon>(type: "geometry(MultiPolygon,4326)", nullable: false),
                    area_km2 = table.Column<double>(type: "double precision", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_analysis_isochrone", x => new { x.run_id, x.origin_index, x.cutoff_minutes });
                    table.ForeignKey(
                        name: "fk_analysis_isochrone_analysis_run_run_id",
                        column: x => x.run_id,
                        principalTable: "analysis_run",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "analysis_site_result",
                columns: table => new
                {
                    run_id = table.Column<long>(type: "bigint", nullable: false),
                    site_index = table.Column<int>(type: "integer", nullable: false),
                    catchment_zones = table.Column<int>(type: "integer", nullable: false),
                    catchment_population = table.Column<double>(type: "double precision", nullable: false),
                    deprived_catchment_population = table.Column<double>(type: "double precision", nullable: false),
                    deprived_rank = table.Column<int>(type: "integer", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_analysis_site_result", x => new { x.run_id, x.site_index });
                    table.ForeignKey(
                        name: "fk_analysis_site_result_analysis_run_run_id",
                        column: x => x.run_id,
                        principalTable: "analysis_run",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "corridor_analysis",
                columns: table => new
                {
                    run_id = table.Column<long>(type: "bigint", nullable: false),
                    corridor_code = table.Column<string>(type: "text", nullable: false),
                    corridor_name = table.Column<string>(type: "text", nullable: false),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    figures = table.Column<string>(type: "jsonb", nullable: false),
                    report_html = table.Column<string>(type: "text", nullable: false),
                    map_svg = table.Column<string>(type: "text", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_corridor_analysis", x => new { x.run_id, x.corridor_code });
                    table.ForeignKey(
                        name: "fk_corridor_analysis_analysis_run_run_id",
                        column: x => x.run_id,
                        principalTable: "analysis_run",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            // Site-access runs made before this migration: their catchments were computed on the fly; store
            // them as the aggregation now does, so their sites layer keeps its numbers.
            migrationBuilder.Sql("""
                INSERT INTO analysis_site_result (run_id, site_index, catchment_zones, catchment_population, deprived_catchment_population, deprived_rank)
                SELECT run_id, site_index, zones, population, deprived, rank() OVER (PARTITION BY run_id ORDER BY deprived DESC)::int
                FROM (
                    SELECT s.run_id, s.index AS site_index, count(o.index)::int AS zones, coalesce(sum(o.weight), 0) AS population,
                           coalesce(sum(o.weight) FILTER (WHERE dep.imd_decile <= 2), 0) AS deprived
                    FROM analysis_run r
                    JOIN analysis_point s ON s.run_id = r.id AND NOT s.is_origin
                    LEFT JOIN analysis_pair_result pr ON pr.run_id = s.run_id AND pr.destination_index = s.index
                         AND pr.percentiles[array_position(ARRAY(SELECT jsonb_array_elements_text(r.parameters -> 'routing' -> 'percentiles')::int),
                                                           (r.parameters -> 'access' ->> 'percentile')::int)] <= (r.parameters -> 'access' ->> 'thresholdSeconds')::int
                    LEFT JOIN analysis_point o ON o.run_id = pr.run_id AND o.is_origin AND o.index = pr.origin_index
                    LEFT JOIN zone_set zs ON zs.id = substr(r.origin_set, 7) AND zs.code_geography = 'lsoa11'
                    LEFT JOIN deprivation dep ON zs.id IS NOT NULL AND dep.lsoa_code = o.code
                    WHERE r.type = 'site-access' AND r.state = 'succeeded'
                    GROUP BY s.run_id, s.index) c
                """);

            migrationBuilder.AddCheckConstraint(
                name: "ck_analysis_point_kind",
                table: "analysis_point",
                sql: "kind IN ('zone', 'site', 'centre', 'point')");

            migrationBuilder.CreateIndex(
                name: "ix_analysis_isochrone_geom",
                table: "analysis_isochrone",
                column: "geom")
                .Annotation("Npgsql:IndexMethod", "gist");

            migrationBuilder.CreateIndex(
                name: "ix_corridor_analysis_corridor_code_run_id",
                table: "corridor_analysis",
                columns: new[] { "corridor_code", "run_id" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "analysis_isochrone");

            migrationBuilder.DropTable(
                name: "analysis_site_result");

            migrationBuilder.DropTable(
                name: "corridor_analysis");

            migrationBuilder.DropCheckConstraint(
                name: "ck_analysis_point_kind",
                table: "analysis_point");

            migrationBuilder.DropColumn(
                name: "kind",
                table: "analysis_point");
        }
    }
}
