namespace Lis.Geo.Cli;

/// <summary>Dispatches <c>lisgeo &lt;command&gt;</c>: help, option checks, Ctrl+C, exit codes.</summary>
public static class CommandRunner
{
    public static async Task<int> RunAsync(IReadOnlyList<ICliCommand> commands, string[] args, TextWriter output, TextWriter progress)
    {
        if (args.Length == 0 || args[0] is "-h" or "--help" or "help")
        {
            output.WriteLine("lisgeo — public-transport accessibility for the West Midlands (Lis.Geo)");
            output.WriteLine();
            output.WriteLine("usage: lisgeo <command> [options]   (lisgeo <command> --help for its options)");
            output.WriteLine();
            foreach (var c in commands)
                output.WriteLine($"  {c.Name,-10} {c.Summary}");
            return args.Length == 0 ? 2 : 0;
        }
        var command = commands.FirstOrDefault(c => c.Name == args[0]);
        if (command is null)
        {
            progress.WriteLine($"lisgeo: unknown command '{args[0]}'. Run 'lisgeo --help' for the list.");
            return 2;
        }
        var rest = args.Skip(1).ToArray();
        if (rest.Contains("--help") || rest.Contains("-h"))
        {
            output.WriteLine(command.Help);
            return 0;
        }
        using var cts = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) => { e.Cancel = true; cts.Cancel(); };
        try
        {
            var parsed = CliArgs.Parse(rest, command.Flags);
            var unknown = parsed.UnknownNames(command.Options).ToList();
            if (unknown.Count > 0)
                throw new CliUsageException($"unknown option(s): {string.Join(", ", unknown.Select(u => "--" + u))}");
            return await command.RunAsync(parsed, output, progress, cts.Token);
        }
        catch (CliUsageException e)
        {
            progress.WriteLine($"lisgeo {command.Name}: {e.Message}");
            progress.WriteLine($"Run 'lisgeo {command.Name} --help' for the options.");
            return 2;
        }
        catch (OperationCanceledException)
        {
            progress.WriteLine($"lisgeo {command.Name}: cancelled.");
            return 130;
        }
    }
}
