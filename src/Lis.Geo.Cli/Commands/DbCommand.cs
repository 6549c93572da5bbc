using Lis.Geo.Data;

namespace Lis.Geo.Cli.Commands;

/// <summary><c>lisgeo db migrate</c>: brings the schema up to date.</summary>
public sealed class DbCommand : ICliCommand
{
    public string Name => "db";
    public string Summary => "Database schema: 'db migrate' applies every pending migration.";
    public string Help => $"""
        usage: lisgeo db migrate [--connection CS]

        Applies every pending EF Core migration (creates the PostGIS extension and all tables).
        Safe to run on every start.
        {Connection.Help}
        """;
    public IReadOnlySet<string> Flags { get; } = new HashSet<string>();
    public IReadOnlySet<string> Options { get; } = new HashSet<string> { "connection" };

    public async Task<int> RunAsync(CliArgs args, TextWriter output, TextWriter progress, CancellationToken ct)
    {
        if (args.Positionals is not ["migrate"])
            throw new CliUsageException("expected 'lisgeo db migrate'.");
        var applied = await LisGeoDb.MigrateAsync(Connection.Resolve(args), ct);
        output.WriteLine(applied.Count == 0 ? "Schema was already up to date." : $"Applied {applied.Count} migration(s): {string.Join(", ", applied)}.");
        return 0;
    }
}
