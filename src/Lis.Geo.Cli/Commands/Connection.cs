namespace Lis.Geo.Cli.Commands;

/// <summary>Where commands that touch the store find it: <c>--connection</c>, else the same settings the API reads.</summary>
internal static class Connection
{
    public const string Help = "  --connection CS   PostgreSQL connection string (default: $LISGEO_DB or $ConnectionStrings__LisGeo)";

    public static string Resolve(CliArgs args) =>
        args.Get("connection")
        ?? Environment.GetEnvironmentVariable("LISGEO_DB")
        ?? Environment.GetEnvironmentVariable("ConnectionStrings__LisGeo")
        ?? throw new CliUsageException("no database: pass --connection \"Host=127.0.0.1;Port=5433;Database=lisgeo;Username=postgres\" or set LISGEO_DB (scripts/run prints it).");
}
