using System;
using Microsoft.EntityFrameworkCore.Migrations;
using NetTopologySuite.Geometries;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

#pragma warning disable CA1814 // Prefer jagged arrays over multidimensional

namespace Lis.Geo.Data.Migrations
{
    /// <inheritdoc />
    public partial class InitialSchema : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AlterDatabase()
                .Annotation("Npgsql:PostgresExtension:postgis", ",,");

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
                name: "centre",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    code = table.Column<string>(type: "text", nullable: false),
                    name = table.Column<string>(type: "text", nullable: false),
                    kind = table.Column<string>(type: "text", nullable: true),
                    geom = table.Column<Point>(type: "geometry(Point,4326)", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_centre", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "corridor",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    code = table.Column<string>(type: "text", nullable: false),
                    name = table.Column<string>(type: "text", nullable: false),
                    description = table.Column<string>(type: "text", nullable: true),
                    geom = table.Column<MultiPolygon>(type: "geometry(MultiPolygon,4326)", nullable: false),
                    centre_line = table.Column<MultiLineString>(type: "geometry(MultiLineString,4326)", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_corridor", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "deprivation_edition",
                columns: table => new
                {
                    id = table.Column<string>(type: "text", nullable: false),
                    name = table.Column<string>(type: "text", nullable: false),
                    published = table.Column<DateOnly>(type: "date", nullable: false),
                    code_geography = table.Column<string>(type: "text", nullable: false),
                    area_count = table.Column<int>(type: "integer", nullable: false),
                    denominator_year = table.Column<int>(type: "integer", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_deprivation_edition", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "employment_site",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    reference = table.Column<string>(type: "text", nullable: false),
                    name = table.Column<string>(type: "text", nullable: true),
                    lad_code = table.Column<string>(type: "text", nullable: true),
                    hectares = table.Column<double>(type: "double precision", nullable: true),
                    floorspace_m2 = table.Column<double>(type: "double precision", nullable: true),
                    use_class = table.Column<string>(type: "text", nullable: true),
                    jobs_estimate = table.Column<int>(type: "integer", nullable: true),
                    status = table.Column<string>(type: "text", nullable: true),
                    geom = table.Column<Geometry>(type: "geometry(Geometry,4326)", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_employment_site", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "housing_site",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    reference = table.Column<string>(type: "text", nullable: false),
                    name = table.Column<string>(type: "text", nullable: true),
                    lad_code = table.Column<string>(type: "text", nullable: true),
                    min_dwellings = table.Column<int>(type: "integer", nullable: true),
                    max_dwellings = table.Column<int>(type: "integer", nullable: true),
                    hectares = table.Column<double>(type: "double precision", nullable: true),
                    status = table.Column<string>(type: "text", nullable: true),
                    planning_permission = table.Column<string>(type: "text", nullable: true),
                    geom = table.Column<Geometry>(type: "geometry(Geometry,4326)", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_housing_site", x => x.id);
                    table.CheckConstraint("ck_housing_site_dwellings", "min_dwellings IS NULL OR max_dwellings IS NULL OR min_dwellings <= max_dwellings");
                });

            migrationBuilder.CreateTable(
                name: "import_record",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    dataset = table.Column<string>(type: "text", nullable: false),
                    source = table.Column<string>(type: "text", nullable: false),
                    file_sha256 = table.Column<string>(type: "text", nullable: false),
                    imported_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    status = table.Column<string>(type: "text", nullable: false),
                    rows_read = table.Column<int>(type: "integer", nullable: false),
                    rows_written = table.Column<int>(type: "integer", nullable: false),
                    rows_rejected = table.Column<int>(type: "integer", nullable: false),
                    options = table.Column<string>(type: "jsonb", nullable: false),
                    issues = table.Column<string>(type: "jsonb", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_import_record", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "lep",
                columns: table => new
                {
                    code = table.Column<string>(type: "text", nullable: false),
                    name = table.Column<string>(type: "text", nullable: false),
                    geom = table.Column<MultiPolygon>(type: "geometry(MultiPolygon,4326)", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_lep", x => x.code);
                });

            migrationBuilder.CreateTable(
                name: "local_authority",
                columns: table => new
                {
                    code = table.Column<string>(type: "text", nullable: false),
                    name = table.Column<string>(type: "text", nullable: false),
                    geom = table.Column<MultiPolygon>(type: "geometry(MultiPolygon,4326)", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_local_authority", x => x.code);
                });

            migrationBuilder.CreateTable(
                name: "lsoa_lookup",
                columns: table => new
                {
                    lsoa11_code = table.Column<string>(type: "text", nullable: false),
                    lsoa21_code = table.Column<string>(type: "text", nullable: false),
                    lsoa11_name = table.Column<string>(type: "text", nullable: true),
                    lsoa21_name = table.Column<string>(type: "text", nullable: true),
                    change_code = table.Column<string>(type: "text", nullable: false),
                    lad_code = table.Column<string>(type: "text", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_lsoa_lookup", x => new { x.lsoa11_code, x.lsoa21_code });
                    table.CheckConstraint("ck_lsoa_lookup_change_code", "change_code IN ('U', 'S', 'M', 'X')");
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
                    imported_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    is_default = table.Column<bool>(type: "boolean", nullable: false, defaultValue: false),
                    not_routable_reason = table.Column<string>(type: "text", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_transit_feed", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "zone_set",
                columns: table => new
                {
                    id = table.Column<string>(type: "text", nullable: false),
                    name = table.Column<string>(type: "text", nullable: false),
                    description = table.Column<string>(type: "text", nullable: true),
                    code_geography = table.Column<string>(type: "text", nullable: false),
                    centroids_approximate = table.Column<bool>(type: "boolean", nullable: false, defaultValue: false),
                    centroid_note = table.Column<string>(type: "text", nullable: true),
                    population_source = table.Column<string>(type: "text", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_zone_set", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "deprivation",
                columns: table => new
                {
                    edition = table.Column<string>(type: "text", nullable: false),
                    lsoa_code = table.Column<string>(type: "text", nullable: false),
                    imd_score = table.Column<double>(type: "double precision", nullable: true),
                    imd_rank = table.Column<int>(type: "integer", nullable: true),
                    imd_decile = table.Column<int>(type: "integer", nullable: true),
                    income_score = table.Column<double>(type: "double precision", nullable: true),
                    income_rank = table.Column<int>(type: "integer", nullable: true),
                    income_decile = table.Column<int>(type: "integer", nullable: true),
                    employment_score = table.Column<double>(type: "double precision", nullable: true),
                    employment_rank = table.Column<int>(type: "integer", nullable: true),
                    employment_decile = table.Column<int>(type: "integer", nullable: true),
                    education_score = table.Column<double>(type: "double precision", nullable: true),
                    education_rank = table.Column<int>(type: "integer", nullable: true),
                    education_decile = table.Column<int>(type: "integer", nullable: true),
                    health_score = table.Column<double>(type: "double precision", nullable: true),
                    health_rank = table.Column<int>(type: "integer", nullable: true),
                    health_decile = table.Column<int>(type: "integer", nullable: true),
                    crime_score = table.Column<double>(type: "double precision", nullable: true),
                    crime_rank = table.Column<int>(type: "integer", nullable: true),
                    crime_decile = table.Column<int>(type: "integer", nullable: true),
                    barriers_score = table.Column<double>(type: "double precision", nullable: true),
                    barriers_rank = table.Column<int>(type: "integer", nullable: true),
                    barriers_decile = table.Column<int>(type: "integer", nullable: true),
                    living_environment_score = table.Column<double>(type: "double precision", nullable: true),
                    living_environment_rank = table.Column<int>(type: "integer", nullable: true),
                    living_environment_decile = table.Column<int>(type: "integer", nullable: true),
                    idaci_score = table.Column<double>(type: "double precision", nullable: true),
                    idaci_rank = table.Column<int>(type: "integer", nullable: true),
                    idaci_decile = table.Column<int>(type: "integer", nullable: true),
                    idaopi_score = table.Column<double>(type: "double precision", nullable: true),
                    idaopi_rank = table.Column<int>(type: "integer", nullable: true),
                    idaopi_decile = table.Column<int>(type: "integer", nullable: true),
                    children_young_people_score = table.Column<double>(type: "double precision", nullable: true),
                    children_young_people_rank = table.Column<int>(type: "integer", nullable: true),
                    children_young_people_decile = table.Column<int>(type: "integer", nullable: true),
                    adult_skills_score = table.Column<double>(type: "double precision", nullable: true),
                    adult_skills_rank = table.Column<int>(type: "integer", nullable: true),
                    adult_skills_decile = table.Column<int>(type: "integer", nullable: true),
                    geographical_barriers_score = table.Column<double>(type: "double precision", nullable: true),
                    geographical_barriers_rank = table.Column<int>(type: "integer", nullable: true),
                    geographical_barriers_decile = table.Column<int>(type: "integer", nullable: true),
                    wider_barriers_score = table.Column<double>(type: "double precision", nullable: true),
                    wider_barriers_rank = table.Column<int>(type: "integer", nullable: true),
                    wider_barriers_decile = table.Column<int>(type: "integer", nullable: true),
                    indoors_score = table.Column<double>(type: "double precision", nullable: true),
                    indoors_rank = table.Column<int>(type: "integer", nullable: true),
                    indoors_decile = table.Column<int>(type: "integer", nullable: true),
                    outdoors_score = table.Column<double>(type: "double precision", nullable: true),
                    outdoors_rank = table.Column<int>(type: "integer", nullable: true),
                    outdoors_decile = table.Column<int>(type: "integer", nullable: true),
                    pop_total = table.Column<int>(type: "integer", nullable: true),
                    pop0to15 = table.Column<int>(type: "integer", nullable: true),
                    pop16to59 = table.Column<int>(type: "integer", nullable: true),
                    pop60plus = table.Column<int>(type: "integer", nullable: true),
                    pop_working_age = table.Column<int>(type: "integer", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_deprivation", x => new { x.edition, x.lsoa_code });
                    table.CheckConstraint("ck_deprivation_imd_decile", "imd_decile BETWEEN 1 AND 10");
                    table.CheckConstraint("ck_deprivation_imd_rank", "imd_rank >= 1");
                    table.ForeignKey(
                        name: "fk_deprivation_deprivation_edition_edition",
                        column: x => x.edition,
                        principalTable: "deprivation_edition",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "lep_membership",
                columns: table => new
                {
                    lad_code = table.Column<string>(type: "text", nullable: false),
                    lep_code = table.Column<string>(type: "text", nullable: false),
                    lep_name = table.Column<string>(type: "text", nullable: false),
                    is_primary = table.Column<bool>(type: "boolean", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_lep_membership", x => new { x.lad_code, x.lep_code });
                    table.ForeignKey(
                        name: "fk_lep_membership_local_authority_lad_code",
                        column: x => x.lad_code,
                        principalTable: "local_authority",
                        principalColumn: "code",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "analysis_run",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    type = table.Column<string>(type: "text", nullable: false),
                    state = table.Column<string>(type: "text", nullable: false),
                    spec = table.Column<string>(type: "jsonb", nullable: false),
                    feed_id = table.Column<long>(type: "bigint", nullable: false),
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
                    summary = table.Column<string>(type: "jsonb", nullable: true),
                    // Added before the squash: kept last, as in databases migrated then.
                    destination_group_size = table.Column<int>(type: "integer", nullable: true)
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
                name: "scenario",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    name = table.Column<string>(type: "text", nullable: false),
                    feed_id = table.Column<long>(type: "bigint", nullable: false),
                    content = table.Column<string>(type: "jsonb", nullable: false),
                    sha256 = table.Column<string>(type: "text", nullable: false),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    updated_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_scenario", x => x.id);
                    table.ForeignKey(
                        name: "fk_scenario_transit_feed_feed_id",
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
                name: "zone",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    zone_set_id = table.Column<string>(type: "text", nullable: false),
                    code = table.Column<string>(type: "text", nullable: false),
                    name = table.Column<string>(type: "text", nullable: true),
                    lad_code = table.Column<string>(type: "text", nullable: true),
                    population = table.Column<int>(type: "integer", nullable: true),
                    geom = table.Column<MultiPolygon>(type: "geometry(MultiPolygon,4326)", nullable: true),
                    centroid = table.Column<Point>(type: "geometry(Point,4326)", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_zone", x => x.id);
                    table.ForeignKey(
                        name: "fk_zone_zone_set_zone_set_id",
                        column: x => x.zone_set_id,
                        principalTable: "zone_set",
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
                    worker = table.Column<string>(type: "text", nullable: true),
                    // Columns added before the squash stay last, so every database has the same layout (pg_dump-identical).
                    destination_from = table.Column<int>(type: "integer", nullable: false, defaultValue: 0),
                    destination_to = table.Column<int>(type: "integer", nullable: false, defaultValue: 2147483647),
                    routing_seconds = table.Column<double>(type: "double precision", nullable: true)
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
                name: "analysis_origin_part",
                columns: table => new
                {
                    run_id = table.Column<long>(type: "bigint", nullable: false),
                    chunk_index = table.Column<int>(type: "integer", nullable: false),
                    origin_index = table.Column<int>(type: "integer", nullable: false),
                    centres_reachable = table.Column<int>(type: "integer", nullable: false),
                    centres_within = table.Column<int[]>(type: "integer[]", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_analysis_origin_part", x => new { x.run_id, x.chunk_index, x.origin_index });
                    table.ForeignKey(
                        name: "fk_analysis_origin_part_analysis_run_run_id",
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
                    kind = table.Column<string>(type: "text", nullable: false),
                    code = table.Column<string>(type: "text", nullable: false),
                    name = table.Column<string>(type: "text", nullable: true),
                    lon = table.Column<double>(type: "double precision", nullable: false),
                    lat = table.Column<double>(type: "double precision", nullable: false),
                    weight = table.Column<double>(type: "double precision", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_analysis_point", x => new { x.run_id, x.is_origin, x.index });
                    table.CheckConstraint("ck_analysis_point_kind", "kind IN ('zone', 'site', 'centre', 'point')");
                    table.ForeignKey(
                        name: "fk_analysis_point_analysis_run_run_id",
                        column: x => x.run_id,
                        principalTable: "analysis_run",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "analysis_request_key",
                columns: table => new
                {
                    key = table.Column<string>(type: "text", nullable: false),
                    request_sha256 = table.Column<string>(type: "text", nullable: false),
                    run_id = table.Column<long>(type: "bigint", nullable: false),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false, defaultValueSql: "now()")
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_analysis_request_key", x => x.key);
                    table.ForeignKey(
                        name: "fk_analysis_request_key_analysis_run_run_id",
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
                name: "analysis_work",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    run_id = table.Column<long>(type: "bigint", nullable: false),
                    chunk_index = table.Column<int>(type: "integer", nullable: true),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false, defaultValueSql: "now()"),
                    job_id = table.Column<string>(type: "text", nullable: true),
                    dispatched_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    dispatches = table.Column<int>(type: "integer", nullable: false, defaultValue: 0),
                    last_error = table.Column<string>(type: "text", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_analysis_work", x => x.id);
                    table.ForeignKey(
                        name: "fk_analysis_work_analysis_run_run_id",
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

            migrationBuilder.InsertData(
                table: "deprivation_edition",
                columns: new[] { "id", "area_count", "code_geography", "denominator_year", "name", "published" },
                values: new object[,]
                {
                    { "imd2019", 32844, "lsoa11", 2015, "English Indices of Deprivation 2019", new DateOnly(2019, 9, 26) },
                    { "iod2025", 33755, "lsoa21", 2022, "English Indices of Deprivation 2025", new DateOnly(2025, 10, 30) }
                });

            migrationBuilder.CreateIndex(
                name: "ix_analysis_isochrone_geom",
                table: "analysis_isochrone",
                column: "geom")
                .Annotation("Npgsql:IndexMethod", "gist");

            migrationBuilder.CreateIndex(
                name: "ix_analysis_request_key_run_id",
                table: "analysis_request_key",
                column: "run_id");

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
                name: "ix_analysis_work_job_id",
                table: "analysis_work",
                column: "job_id");

            migrationBuilder.CreateIndex(
                name: "ix_analysis_work_run_id_chunk_index",
                table: "analysis_work",
                columns: new[] { "run_id", "chunk_index" },
                unique: true)
                .Annotation("Npgsql:NullsDistinct", false);

            migrationBuilder.CreateIndex(
                name: "ix_centre_code",
                table: "centre",
                column: "code",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_centre_geom",
                table: "centre",
                column: "geom")
                .Annotation("Npgsql:IndexMethod", "gist");

            migrationBuilder.CreateIndex(
                name: "ix_corridor_centre_line",
                table: "corridor",
                column: "centre_line")
                .Annotation("Npgsql:IndexMethod", "gist");

            migrationBuilder.CreateIndex(
                name: "ix_corridor_code",
                table: "corridor",
                column: "code",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_corridor_geom",
                table: "corridor",
                column: "geom")
                .Annotation("Npgsql:IndexMethod", "gist");

            migrationBuilder.CreateIndex(
                name: "ix_corridor_analysis_corridor_code_run_id",
                table: "corridor_analysis",
                columns: new[] { "corridor_code", "run_id" });

            migrationBuilder.CreateIndex(
                name: "ix_deprivation_edition_imd_decile",
                table: "deprivation",
                columns: new[] { "edition", "imd_decile" });

            migrationBuilder.CreateIndex(
                name: "ix_deprivation_lsoa_code",
                table: "deprivation",
                column: "lsoa_code");

            migrationBuilder.CreateIndex(
                name: "ix_employment_site_geom",
                table: "employment_site",
                column: "geom")
                .Annotation("Npgsql:IndexMethod", "gist");

            migrationBuilder.CreateIndex(
                name: "ix_employment_site_lad_code",
                table: "employment_site",
                column: "lad_code");

            migrationBuilder.CreateIndex(
                name: "ix_employment_site_reference",
                table: "employment_site",
                column: "reference",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_housing_site_geom",
                table: "housing_site",
                column: "geom")
                .Annotation("Npgsql:IndexMethod", "gist");

            migrationBuilder.CreateIndex(
                name: "ix_housing_site_lad_code",
                table: "housing_site",
                column: "lad_code");

            migrationBuilder.CreateIndex(
                name: "ix_housing_site_reference",
                table: "housing_site",
                column: "reference",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_import_record_dataset_file_sha256",
                table: "import_record",
                columns: new[] { "dataset", "file_sha256" });

            migrationBuilder.CreateIndex(
                name: "ix_lep_geom",
                table: "lep",
                column: "geom")
                .Annotation("Npgsql:IndexMethod", "gist");

            migrationBuilder.CreateIndex(
                name: "ix_lep_membership_lep_code",
                table: "lep_membership",
                column: "lep_code");

            migrationBuilder.CreateIndex(
                name: "ix_local_authority_geom",
                table: "local_authority",
                column: "geom")
                .Annotation("Npgsql:IndexMethod", "gist");

            migrationBuilder.CreateIndex(
                name: "ix_lsoa_lookup_lsoa21_code",
                table: "lsoa_lookup",
                column: "lsoa21_code");

            migrationBuilder.CreateIndex(
                name: "ix_scenario_feed_id",
                table: "scenario",
                column: "feed_id");

            migrationBuilder.CreateIndex(
                name: "ix_transit_feed_sha256",
                table: "transit_feed",
                column: "sha256",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ux_transit_feed_one_default",
                table: "transit_feed",
                column: "is_default",
                unique: true,
                filter: "is_default");

            migrationBuilder.CreateIndex(
                name: "ix_transit_route_geom",
                table: "transit_route",
                column: "geom")
                .Annotation("Npgsql:IndexMethod", "gist");

            migrationBuilder.CreateIndex(
                name: "ix_transit_route_route_type",
                table: "transit_route",
                column: "route_type");

            migrationBuilder.CreateIndex(
                name: "ix_transit_stop_geom",
                table: "transit_stop",
                column: "geom")
                .Annotation("Npgsql:IndexMethod", "gist");

            migrationBuilder.CreateIndex(
                name: "ix_zone_centroid",
                table: "zone",
                column: "centroid")
                .Annotation("Npgsql:IndexMethod", "gist");

            migrationBuilder.CreateIndex(
                name: "ix_zone_geom",
                table: "zone",
                column: "geom")
                .Annotation("Npgsql:IndexMethod", "gist");

            migrationBuilder.CreateIndex(
                name: "ix_zone_lad_code",
                table: "zone",
                column: "lad_code");

            migrationBuilder.CreateIndex(
                name: "ix_zone_zone_set_id_code",
                table: "zone",
                columns: new[] { "zone_set_id", "code" },
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "analysis_chunk");

            migrationBuilder.DropTable(
                name: "analysis_isochrone");

            migrationBuilder.DropTable(
                name: "analysis_origin_part");

            migrationBuilder.DropTable(
                name: "analysis_origin_result");

            migrationBuilder.DropTable(
                name: "analysis_pair_result");

            migrationBuilder.DropTable(
                name: "analysis_point");

            migrationBuilder.DropTable(
                name: "analysis_request_key");

            migrationBuilder.DropTable(
                name: "analysis_schedule");

            migrationBuilder.DropTable(
                name: "analysis_site_result");

            migrationBuilder.DropTable(
                name: "analysis_work");

            migrationBuilder.DropTable(
                name: "centre");

            migrationBuilder.DropTable(
                name: "corridor");

            migrationBuilder.DropTable(
                name: "corridor_analysis");

            migrationBuilder.DropTable(
                name: "deprivation");

            migrationBuilder.DropTable(
                name: "employment_site");

            migrationBuilder.DropTable(
                name: "housing_site");

            migrationBuilder.DropTable(
                name: "import_record");

            migrationBuilder.DropTable(
                name: "lep");

            migrationBuilder.DropTable(
                name: "lep_membership");

            migrationBuilder.DropTable(
                name: "lsoa_lookup");

            migrationBuilder.DropTable(
                name: "scenario");

            migrationBuilder.DropTable(
                name: "transit_feed_file");

            migrationBuilder.DropTable(
                name: "transit_route");

            migrationBuilder.DropTable(
                name: "transit_stop");

            migrationBuilder.DropTable(
                name: "zone");

            migrationBuilder.DropTable(
                name: "analysis_run");

            migrationBuilder.DropTable(
                name: "deprivation_edition");

            migrationBuilder.DropTable(
                name: "local_authority");

            migrationBuilder.DropTable(
                name: "zone_set");

            migrationBuilder.DropTable(
                name: "transit_feed");
        }
    }
}
