namespace Lis.Geo.Cli;

/// <summary>One <c>lisgeo</c> sub-command. Registered in <see cref="Program"/>'s command list.</summary>
public interface ICliCommand
{
    /// <summary>The word after <c>lisgeo</c>, e.g. <c>route</c> or <c>import</c>.</summary>
    string Name { get; }

    /// <summary>One line for the command list.</summary>
    string Summary { get; }

    /// <summary>Full help: usage and every option with its default.</summary>
    string Help { get; }

    /// <summary>Options that take no value.</summary>
    IReadOnlySet<string> Flags { get; }

    /// <summary>Every option name the command accepts (flags included).</summary>
    IReadOnlySet<string> Options { get; }

    Task<int> RunAsync(CliArgs args, TextWriter output, TextWriter progress, CancellationToken cancellationToken);
}
