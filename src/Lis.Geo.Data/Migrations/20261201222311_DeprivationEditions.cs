using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

#pragma warning disable CA1814 // Prefer jagged arrays over multidimensional

namespace Lis.Geo.Data.Migrations
{
    /// <inheritdoc />
    public partial class DeprivationEditions : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropPrimaryKey(
                name: "pk_deprivation",
                table: "deprivation");

            migrationBuilder.DropIndex(
                name: "ix_deprivation_imd_decile",
                table: "deprivation");

            migrationBuilder.AddColumn<string>(
                name: "centroid_note",
                table: "zone_set",
                type: "text",
                nullable: true);

            migrationBuilder.AddColumn<bool>(
                name: "centroids_approximate",
                table: "zone_set",
                type: "boolean",
                nullable: false,
                defaultValue: false);

            migrationBuilder.AddColumn<string>(
                name: "population_source",
                table: "zone_set",
                type: "text",
                nullable: true);

            // Every row stored before editions existed is IMD 2019 (the only edition the importer knew).
            migrationBuilder.AddColumn<string>(
                name: "edition",
                table: "deprivation",
                type: "text",
                nullable: false,
                defaultValue: "imd2019");

            migrationBuilder.AddColumn<int>(
                name: "adult_skills_decile",
                table: "deprivation",
                type: "integer",
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "adult_skills_rank",
                table: "deprivation",
                type: "integer",
                nullable: true);

            migrationBuilder.AddColumn<double>(
                name: "adult_skills_score",
                table: "deprivation",
                type: "double precision",
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "children_young_people_decile",
                table: "deprivation",
                type: "integer",
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "children_young_people_rank",
                table: "deprivation",
                type: "integer",
                nullable: true);

            migrationBuilder.AddColumn<double>(
                name: "children_young_people_score",
                table: "deprivation",
                type: "double precision",
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "geographical_barriers_decile",
                table: "deprivation",
                type: "integer",
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "geographical_barriers_rank",
                table: "deprivation",
                type: "integer",
                nullable: true);

            migrationBuilder.AddColumn<double>(
                name: "geographical_barriers_score",
                table: "deprivation",
                type: "double precision",
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "idaci_decile",
                table: "deprivation",
                type: "integer",
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "idaci_rank",
                table: "deprivation",
                type: "integer",
                nullable: true);

            migrationBuilder.AddColumn<double>(
                name: "idaci_score",
                table: "deprivation",
                type: "double precision",
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "idaopi_decile",
                table: "deprivation",
                type: "integer",
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "idaopi_rank",
                table: "deprivation",
                type: "integer",
                nullable: true);

            migrationBuilder.AddColumn<double>(
                name: "idaopi_score",
                table: "deprivation",
                type: "double precision",
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "indoors_decile",
                table: "deprivation",
                type: "integer",
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "indoors_rank",
                table: "deprivation",
                type: "integer",
                nullable: true);

            migrationBuilder.AddColumn<double>(
                name: "indoors_score",
                table: "deprivation",
                type: "double precision",
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "outdoors_decile",
                table: "deprivation",
                type: "integer",
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "outdoors_rank",
                table: "deprivation",
                type: "integer",
                nullable: true);

            migrationBuilder.AddColumn<double>(
                name: "outdoors_score",
                table: "deprivation",
                type: "double precision",
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "wider_barriers_decile",
                table: "deprivation",
                type: "integer",
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "wider_barriers_rank",
                table: "deprivation",
                type: "integer",
                nullable: true);

            migrationBuilder.AddColumn<double>(
                name: "wider_barriers_score",
                table: "deprivation",
                type: "double precision",
                nullable: true);

            migrationBuilder.AddPrimaryKey(
                name: "pk_deprivation",
                table: "deprivation",
                columns: new[] { "edition", "lsoa_code" });

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

            migrationBuilder.InsertData(
                table: "deprivation_edition",
                columns: new[] { "id", "area_count", "code_geography", "denominator_year", "name", "published" },
                values: new object[,]
                {
                    { "imd2019", 32844, "lsoa11", 2015, "English Indices of Deprivation 2019", new DateOnly(2019, 9, 26) },
                    { "iod2025", 33755, "lsoa21", 2022, "English Indices of Deprivation 2025", new DateOnly(2025, 10, 30) }
                });

            migrationBuilder.CreateIndex(
                name: "ix_deprivation_edition_imd_decile",
                table: "deprivation",
                columns: new[] { "edition", "imd_decile" });

            migrationBuilder.CreateIndex(
                name: "ix_deprivation_lsoa_code",
                table: "deprivation",
                column: "lsoa_code");

            migrationBuilder.CreateIndex(
                name: "ix_lsoa_lookup_lsoa21_code",
                table: "lsoa_lookup",
                column: "lsoa21_code");

            migrationBuilder.AddForeignKey(
                name: "fk_deprivation_deprivation_edition_edition",
                table: "deprivation",
                column: "edition",
                principalTable: "deprivation_edition",
                principalColumn: "id",
                onDelete: ReferentialAction.Restrict);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropForeignKey(
                name: "fk_deprivation_deprivation_edition_edition",
                table: "deprivation");

            migrationBuilder.DropTable(
                name: "deprivation_edition");

            migrationBuilder.DropTable(
                name: "lsoa_lookup");

            migrationBuilder.DropPrimaryKey(
                name: "pk_deprivation",
                table: "deprivation");

            migrationBuilder.DropIndex(
                name: "ix_deprivation_edition_imd_decile",
                table: "deprivation");

            migrationBuilder.DropIndex(
                name: "ix_deprivation_lsoa_code",
                table: "deprivation");

            migrationBuilder.DropColumn(
                name: "centroid_note",
                table: "zone_set");

            migrationBuilder.DropColumn(
                name: "centroids_approximate",
                table: "zone_set");

            migrationBuilder.DropColumn(
                name: "population_source",
                table: "zone_set");

            migrationBuilder.DropColumn(
                name: "edition",
                table: "deprivation");

            migrationBuilder.DropColumn(
                name: "adult_skills_decile",
                table: "deprivation");

            migrationBuilder.DropColumn(
                name: "adult_skills_rank",
                table: "deprivation");

            migrationBuilder.DropColumn(
                name: "adult_skills_score",
                table: "deprivation");

            migrationBuilder.DropColumn(
                name: "children_young_people_decile",
                table: "deprivation");

            migrationBuilder.DropColumn(
                name: "children_young_people_rank",
                table: "deprivation");

            migrationBuilder.DropColumn(
                name: "children_young_people_score",
                table: "deprivation");

            migrationBuilder.DropColumn(
                name: "geographical_barriers_decile",
                table: "deprivation");

            migrationBuilder.DropColumn(
                name: "geographical_barriers_rank",
                table: "deprivation");

            migrationBuilder.DropColumn(
                name: "geographical_barriers_score",
                table: "deprivation");

            migrationBuilder.DropColumn(
                name: "idaci_decile",
                table: "deprivation");

            migrationBuilder.DropColumn(
                name: "idaci_rank",
                table: "deprivation");

            migrationBuilder.DropColumn(
                name: "idaci_score",
                table: "deprivation");

            migrationBuilder.DropColumn(
                name: "idaopi_decile",
                table: "deprivation");

            migrationBuilder.DropColumn(
                name: "idaopi_rank",
                table: "deprivation");

            migrationBuilder.DropColumn(
                name: "idaopi_score",
                table: "deprivation");

            migrationBuilder.DropColumn(
                name: "indoors_decile",
                table: "deprivation");

            migrationBuilder.DropColumn(
                name: "indoors_rank",
                table: "deprivation");

            migrationBuilder.DropColumn(
                name: "indoors_score",
                table: "deprivation");

            migrationBuilder.DropColumn(
                name: "outdoors_decile",
                table: "deprivation");

            migrationBuilder.DropColumn(
                name: "outdoors_rank",
                table: "deprivation");

            migrationBuilder.DropColumn(
                name: "outdoors_score",
                table: "deprivation");

            migrationBuilder.DropColumn(
                name: "wider_barriers_decile",
                table: "deprivation");

            migrationBuilder.DropColumn(
                name: "wider_barriers_rank",
                table: "deprivation");

            migrationBuilder.DropColumn(
                name: "wider_barriers_score",
                table: "deprivation");

            migrationBuilder.AddPrimaryKey(
                name: "pk_deprivation",
                table: "deprivation",
                column: "lsoa_code");

            migrationBuilder.CreateIndex(
                name: "ix_deprivation_imd_decile",
                table: "deprivation",
                column: "imd_decile");
        }
    }
}
