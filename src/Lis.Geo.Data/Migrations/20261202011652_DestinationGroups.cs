using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Lis.Geo.Data.Migrations
{
    /// <inheritdoc />
    public partial class DestinationGroups : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<int>(
                name: "destination_group_size",
                table: "analysis_run",
                type: "integer",
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "destination_from",
                table: "analysis_chunk",
                type: "integer",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.AddColumn<int>(
                name: "destination_to",
                table: "analysis_chunk",
                type: "integer",
                nullable: false,
                defaultValue: int.MaxValue); // chunks planned before destination groups covered every destination

            migrationBuilder.AddColumn<double>(
                name: "routing_seconds",
                table: "analysis_chunk",
                type: "double precision",
                nullable: true);

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
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "analysis_origin_part");

            migrationBuilder.DropColumn(
                name: "destination_group_size",
                table: "analysis_run");

            migrationBuilder.DropColumn(
                name: "destination_from",
                table: "analysis_chunk");

            migrationBuilder.DropColumn(
                name: "destination_to",
                table: "analysis_chunk");

            migrationBuilder.DropColumn(
                name: "routing_seconds",
                table: "analysis_chunk");
        }
    }
}
