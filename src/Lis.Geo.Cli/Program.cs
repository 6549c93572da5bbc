using Lis.Geo.Cli;

// The `lisgeo` command. Each sub-command lives in Commands/ and is listed here once.
ICliCommand[] commands =
[
    new Lis.Geo.Cli.Commands.DbCommand(),
    new Lis.Geo.Cli.Commands.ImportCommand(),
];

return await CommandRunner.RunAsync(commands, args, Console.Out, Console.Error);
