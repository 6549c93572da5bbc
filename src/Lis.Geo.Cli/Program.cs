using Lis.Geo.Cli;

// The `lisgeo` command. Each sub-command lives in Commands/ and is listed here once.
ICliCommand[] commands =
[
];

return await CommandRunner.RunAsync(commands, args, Console.Out, Console.Error);
