using System.CommandLine;

namespace Ciaf.Cli.Commands;

internal static class DemoCommand
{
    public static Command Create(CliApp app)
    {
        var command = new Command("demo", "Run the end-to-end credit-scoring demo.");
        _ = app;
        return command;
    }
}
