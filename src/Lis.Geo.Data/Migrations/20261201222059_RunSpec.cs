using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Lis.Geo.Data.Migrations
{
    /// <inheritdoc />
    public partial class RunSpec : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            // One run record: the request, the parameters and the feed/date columns become the run's
            // spec, built from them with the defaults the code applied when those runs were made.
            migrationBuilder.Sql("""
                ALTER TABLE analysis_run ADD COLUMN spec jsonb;
                UPDATE analysis_run SET spec = jsonb_build_object(
                    'version', 1, 'type', type, 'name', request -> 'name',
                    'feeds', jsonb_build_array(jsonb_build_object('id', feed_id, 'sha256', feed_sha256)),
                    'serviceDate', to_char(service_date, 'YYYY-MM-DD'), 'scenario', NULL,
                    'routing', (parameters -> 'routing') || jsonb_build_object('window', jsonb_build_object('kind', 'departure') || (parameters -> 'routing' -> 'window')),
                    'access', parameters -> 'access',
                    'zoneSet', coalesce(request ->> 'zoneSet', 'lsoa11'),
                    'centreKind', request -> 'centreKind',
                    'siteSet', CASE WHEN type = 'corridor' THEN 'employment-sites'
                                    WHEN type = 'site-access' OR (type = 'isochrones' AND jsonb_typeof(request -> 'lon') IS DISTINCT FROM 'number')
                                    THEN coalesce(request ->> 'siteSet', 'employment-sites') END,
                    'corridor', request -> 'corridor',
                    'nearMeters', CASE WHEN type = 'corridor' THEN coalesce((request ->> 'nearMeters')::int, 800) END,
                    'isochrones', CASE WHEN type = 'isochrones' THEN jsonb_build_object(
                        'cutoffs', coalesce(parameters -> 'isochroneCutoffs', request -> 'cutoffs', '[15, 30, 45]'::jsonb),
                        'lon', request -> 'lon', 'lat', request -> 'lat', 'site', request -> 'site') END);
                ALTER TABLE analysis_run ALTER COLUMN spec SET NOT NULL;
                ALTER TABLE analysis_run DROP COLUMN request, DROP COLUMN parameters, DROP COLUMN feed_sha256, DROP COLUMN service_date;
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""
                ALTER TABLE analysis_run ADD COLUMN request jsonb, ADD COLUMN parameters jsonb, ADD COLUMN feed_sha256 text, ADD COLUMN service_date date;
                UPDATE analysis_run SET request = spec - 'routing' - 'access' - 'feeds', parameters = jsonb_build_object('routing', spec -> 'routing', 'access', spec -> 'access',
                    'isochroneCutoffs', spec -> 'isochrones' -> 'cutoffs'), feed_sha256 = spec -> 'feeds' -> 0 ->> 'sha256', service_date = (spec ->> 'serviceDate')::date;
                ALTER TABLE analysis_run ALTER COLUMN request SET NOT NULL, ALTER COLUMN parameters SET NOT NULL, ALTER COLUMN feed_sha256 SET NOT NULL, ALTER COLUMN service_date SET NOT NULL;
                ALTER TABLE analysis_run DROP COLUMN spec;
                """);
        }
    }
}
