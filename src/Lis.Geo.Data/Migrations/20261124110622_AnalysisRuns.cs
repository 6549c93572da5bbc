using System;
using Microsoft.EntityFrameworkCore.Migrations;
using NetTopologySuite.Geometries;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace Lis.Geo.Data.Migrations
{
    /// <inheritdoc />
    public partial class AnalysisRuns : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "analysis_schedule",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    name = table.Column<string>(type: "text", nullable: false),
                    cron = table.Column<string>(type: "text", nullable: false),
                    time_zone = table.Column<string>(type: "text", nullable: false),
                    request = table.Column<string>(type: "jsonb", nullable: false),
                    paused = table.Column<bool>(type: "boolean", nullable: false),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_analysis_schedule", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "transit_feed",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    name = table.Column<string>(type: "text", nullable: false),
                    file_name = table.Column<string>(type: "text", nullable: false),
                    sha256 = table.Column<string>(type: "text", nullable: false),
                    size_bytes = table.Column<long>(type: "bigint", nullable: false),
                    valid_from = table.Column<DateOnly>(type: "date", nullable: true),
                    valid_to = table.Column<DateOnly>(type: "date", nullable: true),
                    row_counts = table.Column<string>(type: "jsonb", nullable: false),
                    checked_date = table.Column<DateOnly>(type: "date", nullable: true),
                    issue_count = table.Column<int>(type: "integer", nullable: false),
                    issues = table.Column<string>(type: "jsonb", nullable: false),
                    imported_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_transit_feed", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "analysis_run",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    type = table.Column<string>(type: "text", nullable: false),
                    state = table.Column<string>(type: "text", nullable: false),
                    request = table.Column<string>(type: "jsonb", nullable: false),
                    parameters = table.Column<string>(type: "jsonb", nullable: false),
                    feed_id = table.Column<long>(type: "bigint", nullable: false),
                    feed_sha256 = table.Column<string>(type: "text", nullable: false),
                    service_date = table.Column<DateOnly>(type: "date", nullable: false),
                    origin_set = table.Column<string>(type: "text", nullable: false),
                    origin_version = table.Column<string>(type: "text", nullable: false),
                    origin_count = table.Column<int>(type: "integer", nullable: false),
                    destination_set = table.Column<string>(type: "text", nullable: false),
                    destination_version = table.Column<string>(type: "text", nullable: false),
                    destination_count = table.Column<int>(type: "integer", nullable: false),
                    engine_version = table.Column<string>(type: "text", nullable: false),
                    chunk_size = table.Column<int>(type: "integer", nullable: false),
                    chunk_count = table.Column<int>(type: "integer", nullable: false),
                    chunks_done = table.Column<int>(type: "integer", nullable: false),
                    origins_done = table.Column<int>(type: "integer", nullable: false),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    started_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    finished_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    error = table.Column<string>(type: "text", nullable: true),
                    schedule_id = table.Column<long>(type: "bigint", nullable: true),
                    summary = table.Column<string>(type: "jsonb", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_analysis_run", x => x.id);
                    table.ForeignKey(
                        name: "fk_analysis_run_transit_feed_feed_id",
                        column: x => x.feed_id,
                        principalTable: "transit_feed",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "transit_feed_file",
                columns: table => new
                {
                    feed_id = table.Column<long>(type: "bigint", nullable: false),
                    content = table.Column<byte[]>(type: "bytea", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_transit_feed_file", x => x.feed_id);
                    table.ForeignKey(
                        name: "fk_transit_feed_file_transit_feed_feed_id",
                        column: x => x.feed_id,
                        principalTable: "transit_feed",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "transit_stop",
                columns: table => new
                {
                    feed_id = table.Column<long>(type: "bigint", nullable: false),
                    stop_id = table.Column<string>(type: "text", nullable: false),
                    name = table.Column<string>(type: "text", nullable: true),
                    location_type = table.Column<int>(type: "integer", nullable: false),
                    geom = table.Column<Point>(type: "geometry(Point,4326)", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_transit_stop", x => new { x.feed_id, x.stop_id });
                    table.ForeignKey(
                        name: "fk_transit_stop_transit_feed_feed_id",
                        column: x => x.feed_id,
                        principalTable: "transit_feed",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "analysis_chunk",
                columns: table => new
                {
                    run_id = table.Column<long>(type: "bigint", nullable: false),
                    index = table.Column<int>(type: "integer", nullable: false),
                    origin_from = table.Column<int>(type: "integer", nullable: false),
                    origin_to = table.Column<int>(type: "integer", nullable: false),
                    attempts = table.Column<int>(type: "integer", nullable: false),
                    done_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    seconds = table.Column<double>(type: "double precision", nullable: true),
                    worker = table.Column<string>(type: "text", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_analysis_chunk", x => new { x.run_id, x.index });
                    table.ForeignKey(
                        name: "fk_analysis_chunk_analysis_run_run_id",
                        column: x => x.run_id,
                        principalTable: "analysis_run",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "analysis_origin_result",
                columns: table => new
                {
                    run_id = table.Column<long>(type: "bigint", nullable: false),
                    origin_index = table.Column<int>(type: "integer", nullable: false),
                    centres_reachable = table.Column<int>(type: "integer", nullable: false),
                    departures_meeting_target = table.Column<int>(type: "integer", nullable: false),
                    departures = table.Column<int>(type: "integer", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_analysis_origin_result", x => new { x.run_id, x.origin_index });
                    table.ForeignKey(
                        name: "fk_analysis_origin_result_analysis_run_run_id",
                        column: x => x.run_id,
                        principalTable: "analysis_run",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "analysis_pair_result",
                columns: table => new
                {
                    run_id = table.Column<long>(type: "bigint", nullable: false),
                    origin_index = table.Column<int>(type: "integer", nullable: false),
                    destination_index = table.Column<int>(type: "integer", nullable: false),
                    percentiles = table.Column<int?[]>(type: "integer[]", nullable: false),
                    departures_within = table.Column<int>(type: "integer", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_analysis_pair_result", x => new { x.run_id, x.origin_index, x.destination_index });
                    table.ForeignKey(
                        name: "fk_analysis_pair_result_analysis_run_run_id",
                        column: x => x.run_id,
                        principalTable: "analysis_run",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "analysis_point",
                columns: table => new
                {
                    run_id = table.Column<long>(type: "bigint", nullable: false),
                    is_origin = table.Column<bool>(type: "boolean", nullable: false),
                    index = table.Column<int>(type: "integer", nullable: false),
                    code = table.Column<string>(type: "text", nullable: false),
                    name = table.Column<string>(type: "text", nullable: true),
                    lon = table.Column<double>(type: "double precision", nullable: false),
                    lat = table.Column<double>(type: "double precision", nullable: false),
                    weight = table.Column<double>(type: "double precision", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_analysis_point", x => new { x.run_id, x.is_origin, x.index });
                    table.ForeignKey(
                        name: "fk_analysis_point_analysis_run_run_id",
                        column: x => x.run_id,
                        principalTable: "analysis_run",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "ix_analysis_run_feed_id",
                table: "analysis_run",
                column: "feed_id");

            migrationBuilder.CreateIndex(
                name: "ix_analysis_run_schedule_id",
                table: "analysis_run",
                column: "schedule_id");

            migrationBuilder.CreateIndex(
                name: "ix_analysis_run_state",
                table: "analysis_run",
                column: "state");

            migrationBuilder.CreateIndex(
                name: "ix_transit_feed_sha256",
                table: "transit_feed",
                column: "sha256",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_transit_stop_geom",
                table: "transit_stop",
                column: "geom")
                .Annotation("Npgsql:IndexMethod", "gist");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "analysis_chunk");

            migrationBuilder.DropTable(
                name: "analysis_origin_result");

            migrationBuilder.DropTable(
                name: "analysis_pair_result");

            migrationBuilder.DropTable(
                name: "analysis_point");

            migrationBuilder.DropTable(
                name: "analysis_schedule");

            migrationBuilder.DropTable(
                name: "transit_feed_file");

            migrationBuilder.DropTable(
                name: "transit_stop");

            migrationBuilder.DropTable(
                name: "analysis_run");

            migrationBuilder.DropTable(
                name: "transit_feed");
        }
    }
}
