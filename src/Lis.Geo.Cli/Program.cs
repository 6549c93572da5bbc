using Lis.Geo.Cli;
using Lis.Geo.Cli.Commands;

// The `lisgeo` command. Each sub-command lives in Commands/ and is listed here once.
ICliCommand[] commands =
[
    new DbCommand(),
    new ImportCommand(),
    new RouteCommand(),
    new MatrixCommand(),
    new BenchCommand(),
];

return await CommandRunner.RunAsync(commands, args, Console.Out, Console.Error);
