using Lis.Geo.Data.Analyses;
using Microsoft.EntityFrameworkCore.ChangeTracking;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace Lis.Geo.Data;

/// <summary>
/// The PostGIS store. Every geometry column is EPSG:4326 (WGS84 lon/lat, the RFC 7946 GeoJSON
/// CRS): data arrives in it, the API serves it by default without reprojection, and bbox
/// filters hit the GiST index directly. Metric work (areas, hectares, distances) casts to
/// <c>geography</c> or transforms to EPSG:27700 in the query. See README "Coordinate systems".
/// </summary>
public sealed class LisGeoDbContext(DbContextOptions<LisGeoDbContext> options) : DbContext(options)
{
    /// <summary>The SRID of every stored geometry.</summary>
    public const int StorageSrid = 4326;

    public DbSet<Lep> Leps => Set<Lep>();
    public DbSet<LocalAuthority> LocalAuthorities => Set<LocalAuthority>();
    public DbSet<LepMembership> LepMemberships => Set<LepMembership>();
    public DbSet<ZoneSet> ZoneSets => Set<ZoneSet>();
    public DbSet<Zone> Zones => Set<Zone>();
    public DbSet<Deprivation> Deprivation => Set<Deprivation>();
    public DbSet<DeprivationEdition> DeprivationEditions => Set<DeprivationEdition>();
    public DbSet<LsoaLookup> LsoaLookups => Set<LsoaLookup>();
    public DbSet<Centre> Centres => Set<Centre>();
    public DbSet<Corridor> Corridors => Set<Corridor>();
    public DbSet<HousingSite> HousingSites => Set<HousingSite>();
    public DbSet<EmploymentSite> EmploymentSites => Set<EmploymentSite>();
    public DbSet<ImportRecord> Imports => Set<ImportRecord>();
    public DbSet<TransitFeed> Feeds => Set<TransitFeed>();
    public DbSet<TransitFeedFile> FeedFiles => Set<TransitFeedFile>();
    public DbSet<TransitStop> Stops => Set<TransitStop>();
    public DbSet<TransitRoute> Routes => Set<TransitRoute>();
    public DbSet<ScenarioRecord> Scenarios => Set<ScenarioRecord>();
    public DbSet<AnalysisRun> Runs => Set<AnalysisRun>();
    public DbSet<RunPoint> RunPoints => Set<RunPoint>();
    public DbSet<RunChunk> RunChunks => Set<RunChunk>();
    public DbSet<RunWork> RunWork => Set<RunWork>();
    public DbSet<RunRequestKey> RunRequestKeys => Set<RunRequestKey>();
    public DbSet<OriginResult> OriginResults => Set<OriginResult>();
    public DbSet<OriginPart> OriginParts => Set<OriginPart>();
    public DbSet<PairResult> PairResults => Set<PairResult>();
    public DbSet<AnalysisSchedule> Schedules => Set<AnalysisSchedule>();
    public DbSet<SiteResult> SiteResults => Set<SiteResult>();
    public DbSet<CorridorAnalysis> CorridorAnalyses => Set<CorridorAnalysis>();
    public DbSet<IsochroneResult> IsochroneResults => Set<IsochroneResult>();

    protected override void OnModelCreating(ModelBuilder b)
    {
        b.HasPostgresExtension("postgis");

        b.Entity<Lep>(e =>
        {
            e.ToTable("lep");
            e.HasKey(x => x.Code);
            Geometry(e.Property(x => x.Geom), "MultiPolygon");
            e.HasIndex(x => x.Geom).HasMethod("gist");
        });
        b.Entity<LocalAuthority>(e =>
        {
            e.ToTable("local_authority");
            e.HasKey(x => x.Code);
            Geometry(e.Property(x => x.Geom), "MultiPolygon");
            e.HasIndex(x => x.Geom).HasMethod("gist");
        });
        b.Entity<LepMembership>(e =>
        {
            e.ToTable("lep_membership");
            e.HasKey(x => new { x.LadCode, x.LepCode });
            e.HasOne(x => x.Lad).WithMany(x => x.Leps).HasForeignKey(x => x.LadCode).OnDelete(DeleteBehavior.Cascade);
            e.HasIndex(x => x.LepCode);
        });
        b.Entity<ZoneSet>(e =>
        {
            e.ToTable("zone_set");
            e.HasKey(x => x.Id);
            // Raw-SQL importers insert zone sets without naming this column.
            e.Property(x => x.CentroidsApproximate).HasDefaultValue(false);
        });
        b.Entity<Zone>(e =>
        {
            e.ToTable("zone");
            e.HasIndex(x => new { x.ZoneSetId, x.Code }).IsUnique();
            e.HasOne<ZoneSet>().WithMany().HasForeignKey(x => x.ZoneSetId).OnDelete(DeleteBehavior.Cascade);
            e.HasIndex(x => x.LadCode);
            Geometry(e.Property(x => x.Geom), "MultiPolygon");
            Geometry(e.Property(x => x.Centroid), "Point");
            e.HasIndex(x => x.Geom).HasMethod("gist");
            e.HasIndex(x => x.Centroid).HasMethod("gist");
        });
        b.Entity<DeprivationEdition>(e =>
        {
            e.ToTable("deprivation_edition");
            e.HasKey(x => x.Id);
            // The editions are facts the importers and queries are written for, so the schema carries them.
            e.HasData(
                new DeprivationEdition { Id = Lis.Geo.Data.Model.DeprivationEditions.Imd2019, Name = "English Indices of Deprivation 2019", Published = new DateOnly(2019, 9, 26),
                    CodeGeography = "lsoa11", AreaCount = 32_844, DenominatorYear = 2015 },
                new DeprivationEdition { Id = Lis.Geo.Data.Model.DeprivationEditions.Iod2025, Name = "English Indices of Deprivation 2025", Published = new DateOnly(2025, 10, 30),
                    CodeGeography = "lsoa21", AreaCount = 33_755, DenominatorYear = 2022 });
        });
        b.Entity<Deprivation>(e =>
        {
            e.ToTable("deprivation");
            e.HasKey(x => new { x.Edition, x.LsoaCode });
            e.HasOne<DeprivationEdition>().WithMany().HasForeignKey(x => x.Edition).OnDelete(DeleteBehavior.Restrict);
            e.HasIndex(x => x.LsoaCode);
            e.HasIndex(x => new { x.Edition, x.ImdDecile });
            e.ToTable(t =>
            {
                t.HasCheckConstraint("ck_deprivation_imd_decile", "imd_decile BETWEEN 1 AND 10");
                t.HasCheckConstraint("ck_deprivation_imd_rank", "imd_rank >= 1");
            });
        });
        b.Entity<LsoaLookup>(e =>
        {
            e.ToTable("lsoa_lookup", t => t.HasCheckConstraint("ck_lsoa_lookup_change_code", "change_code IN ('U', 'S', 'M', 'X')"));
            e.HasKey(x => new { x.Lsoa11Code, x.Lsoa21Code });
            e.Property(x => x.Lsoa11Code).HasColumnName("lsoa11_code");
            e.Property(x => x.Lsoa21Code).HasColumnName("lsoa21_code");
            e.Property(x => x.Lsoa11Name).HasColumnName("lsoa11_name");
            e.Property(x => x.Lsoa21Name).HasColumnName("lsoa21_name");
            e.HasIndex(x => x.Lsoa21Code);
        });
        b.Entity<Centre>(e =>
        {
            e.ToTable("centre");
            e.HasIndex(x => x.Code).IsUnique();
            Geometry(e.Property(x => x.Geom), "Point");
            e.HasIndex(x => x.Geom).HasMethod("gist");
        });
        b.Entity<Corridor>(e =>
        {
            e.ToTable("corridor");
            e.HasIndex(x => x.Code).IsUnique();
            Geometry(e.Property(x => x.Geom), "MultiPolygon");
            Geometry(e.Property(x => x.CentreLine), "MultiLineString");
            e.HasIndex(x => x.Geom).HasMethod("gist");
            e.HasIndex(x => x.CentreLine).HasMethod("gist");
        });
        b.Entity<HousingSite>(e =>
        {
            e.ToTable("housing_site", t => t.HasCheckConstraint("ck_housing_site_dwellings",
                "min_dwellings IS NULL OR max_dwellings IS NULL OR min_dwellings <= max_dwellings"));
            e.HasIndex(x => x.Reference).IsUnique();
            e.HasIndex(x => x.LadCode);
            Geometry(e.Property(x => x.Geom), "Geometry");
            e.HasIndex(x => x.Geom).HasMethod("gist");
        });
        b.Entity<EmploymentSite>(e =>
        {
            e.ToTable("employment_site");
            e.HasIndex(x => x.Reference).IsUnique();
            e.HasIndex(x => x.LadCode);
            Geometry(e.Property(x => x.Geom), "Geometry");
            e.HasIndex(x => x.Geom).HasMethod("gist");
        });
        b.Entity<ImportRecord>(e =>
        {
            e.ToTable("import_record");
            e.Property(x => x.Options).HasColumnType("jsonb").HasConversion(Json<Dictionary<string, string>>());
            e.Property(x => x.Issues).HasColumnType("jsonb").HasConversion(Json<List<ImportIssue>>());
            e.HasIndex(x => new { x.Dataset, x.FileSha256 });
        });

        b.Entity<TransitFeed>(e =>
        {
            e.ToTable("transit_feed");
            e.HasIndex(x => x.Sha256).IsUnique();
            // At most one default feed, whatever the timing of two PUT /feeds/{id}/default.
            e.HasIndex(x => x.IsDefault).IsUnique().HasFilter("is_default").HasDatabaseName("ux_transit_feed_one_default");
            e.Property(x => x.IsDefault).HasDefaultValue(false); // the schema's default since the column was added to stored feeds
            e.Property(x => x.RowCounts).HasColumnType("jsonb").HasConversion(Json<Dictionary<string, long>>());
            e.Property(x => x.Issues).HasColumnType("jsonb").HasConversion(Json<List<FeedIssueRecord>>());
        });
        b.Entity<TransitFeedFile>(e =>
        {
            e.ToTable("transit_feed_file");
            e.HasKey(x => x.FeedId);
            e.HasOne<TransitFeed>().WithOne().HasForeignKey<TransitFeedFile>(x => x.FeedId).OnDelete(DeleteBehavior.Cascade);
        });
        b.Entity<TransitStop>(e =>
        {
            e.ToTable("transit_stop");
            e.HasKey(x => new { x.FeedId, x.StopId });
            e.HasOne<TransitFeed>().WithMany().HasForeignKey(x => x.FeedId).OnDelete(DeleteBehavior.Cascade);
            Geometry(e.Property(x => x.Geom), "Point");
            e.HasIndex(x => x.Geom).HasMethod("gist");
        });
        b.Entity<TransitRoute>(e =>
        {
            e.ToTable("transit_route", t => t.HasCheckConstraint("ck_transit_route_geometry_source", "geometry_source IN ('shapes', 'stops', 'mixed')"));
            e.HasKey(x => new { x.FeedId, x.RouteId });
            e.HasOne<TransitFeed>().WithMany().HasForeignKey(x => x.FeedId).OnDelete(DeleteBehavior.Cascade);
            Geometry(e.Property(x => x.Geom), "MultiLineString");
            e.HasIndex(x => x.Geom).HasMethod("gist");
            e.HasIndex(x => x.RouteType);
        });
        b.Entity<ScenarioRecord>(e =>
        {
            e.ToTable("scenario");
            e.Property(x => x.Content).HasColumnType("jsonb");
            e.HasIndex(x => x.FeedId);
            e.HasOne<TransitFeed>().WithMany().HasForeignKey(x => x.FeedId).OnDelete(DeleteBehavior.Restrict);
        });
        b.Entity<AnalysisRun>(e =>
        {
            e.ToTable("analysis_run");
            e.Property(x => x.Spec).HasColumnType("jsonb").HasConversion(
                v => v.ToJson(), v => RunSpec.FromJson(v),
                new ValueComparer<RunSpec>((a, b) => a!.ToJson() == b!.ToJson(), v => v.ToJson().GetHashCode(StringComparison.Ordinal), v => RunSpec.FromJson(v.ToJson())));
            e.Property(x => x.Summary).HasColumnType("jsonb");
            e.HasIndex(x => x.State);
            e.HasIndex(x => x.ScheduleId);
            e.HasOne<TransitFeed>().WithMany().HasForeignKey(x => x.FeedId).OnDelete(DeleteBehavior.Restrict);
        });
        RunTable<RunPoint>(b, "analysis_point", e =>
        {
            e.ToTable(t => t.HasCheckConstraint("ck_analysis_point_kind", "kind IN ('zone', 'site', 'centre', 'point')"));
            e.HasKey(x => new { x.RunId, x.IsOrigin, x.Index });
        });
        RunTable<RunChunk>(b, "analysis_chunk", e =>
        {
            e.HasKey(x => new { x.RunId, x.Index });
            // Defaults of the schema since destination groups were added to planned chunks: a chunk naming no range covers
            // every destination. The sentinel is that same value, so EF never lets a real 0 fall back to the default.
            e.Property(x => x.DestinationFrom).HasDefaultValue(0);
            e.Property(x => x.DestinationTo).HasDefaultValue(int.MaxValue).HasSentinel(int.MaxValue);
        });
        RunTable<RunWork>(b, "analysis_work", e =>
        {
            e.Property(x => x.CreatedAt).HasDefaultValueSql("now()");
            e.Property(x => x.Dispatches).HasDefaultValue(0); // rows are also written by plain SQL (the last chunk, the watchdog)
            // One row per chunk and one for the aggregation (null chunk): a second "last chunk" cannot add another.
            e.HasIndex(x => new { x.RunId, x.ChunkIndex }).IsUnique().AreNullsDistinct(false);
            e.HasIndex(x => x.JobId);
        });
        RunTable<RunRequestKey>(b, "analysis_request_key", e =>
        {
            e.HasKey(x => x.Key);
            e.Property(x => x.CreatedAt).HasDefaultValueSql("now()");
            e.HasIndex(x => x.RunId);
        });
        RunTable<OriginResult>(b, "analysis_origin_result", e => e.HasKey(x => new { x.RunId, x.OriginIndex }));
        RunTable<OriginPart>(b, "analysis_origin_part", e => e.HasKey(x => new { x.RunId, x.ChunkIndex, x.OriginIndex }));
        RunTable<PairResult>(b, "analysis_pair_result", e => e.HasKey(x => new { x.RunId, x.OriginIndex, x.DestinationIndex }));
        b.Entity<AnalysisSchedule>(e =>
        {
            e.ToTable("analysis_schedule");
            e.Property(x => x.Request).HasColumnType("jsonb");
        });
        RunTable<SiteResult>(b, "analysis_site_result", e => e.HasKey(x => new { x.RunId, x.SiteIndex }));
        RunTable<IsochroneResult>(b, "analysis_isochrone", e =>
        {
            e.HasKey(x => new { x.RunId, x.OriginIndex, x.CutoffMinutes });
            Geometry(e.Property(x => x.Geom), "MultiPolygon");
            e.HasIndex(x => x.Geom).HasMethod("gist");
        });
        RunTable<CorridorAnalysis>(b, "corridor_analysis", e =>
        {
            e.HasKey(x => new { x.RunId, x.CorridorCode });
            e.Property(x => x.Figures).HasColumnType("jsonb");
            // History is read per corridor, newest first; runs are not foreign-keyed to corridors, so a
            // corridor redrawn or deleted keeps its past analyses.
            e.HasIndex(x => new { x.CorridorCode, x.RunId });
        });
    }

    /// <summary>Stores a small value object as jsonb text; it is read and written whole, never queried inside.</summary>
    private static ValueConverter<T, string> Json<T>() where T : new() => new(
        v => JsonSerializer.Serialize(v, JsonOptions),
        s => JsonSerializer.Deserialize<T>(s, JsonOptions) ?? new T());

    private static readonly JsonSerializerOptions JsonOptions = ImportRecordJson.Options;

    /// <summary>
    /// One of a run's own tables, <paramref name="table"/>, configured by <paramref name="configure"/>: each row
    /// names its run (a <c>RunId</c> property) and is deleted with it.
    /// </summary>
    private static void RunTable<T>(ModelBuilder b, string table, Action<EntityTypeBuilder<T>> configure) where T : class =>
        b.Entity<T>(e =>
        {
            e.ToTable(table);
            configure(e);
            e.HasOne<AnalysisRun>().WithMany().HasForeignKey("RunId").OnDelete(DeleteBehavior.Cascade);
        });

    private static void Geometry<T>(Microsoft.EntityFrameworkCore.Metadata.Builders.PropertyBuilder<T> p, string type) =>
        p.HasColumnType($"geometry({type},{StorageSrid})");
}
