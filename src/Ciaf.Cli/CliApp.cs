using System.CommandLine;
using System.CommandLine.Invocation;
using System.Reflection;
using System.Text.Json;
using Ciaf.Cli.Commands;
using Ciaf.Cli.Infrastructure;
using Ciaf.Metadata;
using Ciaf.Metadata.Configuration;

namespace Ciaf.Cli;

/// <summary>
/// The <c>ciaf</c> command line: builds the commands, parses, runs one, and turns failures into one line on
/// stderr and an exit code (0 success, 1 failure, 2 usage error, 130 cancelled). Runs in-process for tests
/// through <see cref="RunAsync"/>.
/// </summary>
internal sealed class CliApp
{
    /// <summary>
    /// How arguments are parsed. Response files are off: System.CommandLine would otherwise expand any <c>@FILE</c>
    /// token into command-line tokens, so <c>--metadata @run.json</c> (the file's content as the metadata) would
    /// instead inject the file's words as options (another <c>--config</c>, another <c>--model-version</c>).
    /// </summary>
    private static readonly ParserConfiguration ParserConfiguration = new() { ResponseFileTokenReplacer = null };

    private readonly CliHost _host;
    private readonly TextWriter _stdout;
    private readonly TextWriter _stderr;

    private CliApp(CliHost host, TextWriter stdout, TextWriter stderr)
    {
        _host = host;
        _stdout = stdout;
        _stderr = stderr;
    }

    public Option<string?> StoreOption { get; } = new("--store", "-s")
    {
        Description = "The store folder (the backend is detected from its contents unless --backend is given).",
        Recursive = true,
        HelpName = "path",
    };

    public Option<string?> BackendOption { get; } = new("--backend", "-b")
    {
        Description = "The store backend: json, sqlite, ... (with --store, or overriding the configured one).",
        Recursive = true,
        HelpName = "name",
    };

    public Option<string?> ConfigOption { get; } = new("--config", "-c")
    {
        Description = "A configuration file (default: the CIAF_* variables, then ./ciaf_config.json).",
        Recursive = true,
        HelpName = "file",
    };

    public Option<bool> JsonOption { get; } = new("--json")
    {
        Description = "Print data as JSON on stdout (notes and progress go to stderr).",
        Recursive = true,
    };

    public Option<bool> VerboseOption { get; } = new("--verbose", "-v")
    {
        Description = "Show stack traces on errors.",
        Recursive = true,
    };

    public Option<bool> NoColorOption { get; } = new("--no-color")
    {
        Description = "No colours (also when NO_COLOR is set or output is redirected).",
        Recursive = true,
    };

    /// <summary>Runs the tool with the given arguments and writers; returns the exit code.</summary>
    /// <param name="args">The arguments, without the program name.</param>
    /// <param name="stdout">Data output.</param>
    /// <param name="stderr">Notes, progress and errors.</param>
    /// <param name="host">The surroundings (working directory, environment, terminal); null for the real process.</param>
    /// <param name="cancellationToken">Cancels the command (as Ctrl+C does for the real tool).</param>
    public static async Task<int> RunAsync(string[] args, TextWriter stdout, TextWriter stderr, CliHost? host = null,
        CancellationToken cancellationToken = default)
    {
        bool realProcess = host is null;
        // The tool ships the PostgreSQL backend: make "postgresql" a known backend name before anything resolves one.
        Ciaf.Metadata.PostgreSql.PostgreSqlBackend.Register();
        var app = new CliApp(host ?? CliHost.Process, stdout, stderr);
        var root = app.Build();
        ParseResult parse;
        try
        {
            parse = root.Parse(args, ParserConfiguration);
        }
        catch (Exception e)
        {
            await stderr.WriteLineAsync($"ciaf: error: {StoreResolver.OneLine(e.Message)}").ConfigureAwait(false);
            return ExitCodes.Usage;
        }
        if (parse.Errors.Count > 0)
        {
            foreach (var error in parse.Errors) await stderr.WriteLineAsync($"ciaf: error: {error.Message}").ConfigureAwait(false);
            string command = parse.CommandResult.Command == root ? "ciaf" : "ciaf " + CommandPath(parse.CommandResult.Command);
            await stderr.WriteLineAsync($"Run '{command} --help' for usage.").ConfigureAwait(false);
            return ExitCodes.Usage;
        }
        var invocation = new InvocationConfiguration
        {
            Output = stdout,
            Error = stderr,
            EnableDefaultExceptionHandler = false,
            // Ctrl+C cancels the running command's token; the command stops at a consistent point and returns.
            ProcessTerminationTimeout = realProcess ? TimeSpan.FromSeconds(30) : null,
        };
        return await parse.InvokeAsync(invocation, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The command tree, for tests that look at every command.</summary>
    internal static RootCommand CreateRootCommand() => new CliApp(CliHost.Process, TextWriter.Null, TextWriter.Null).Build();

    /// <summary>Binds an action to a command, with the global options and error handling every command shares.</summary>
    public void Bind(Command command, Func<CliContext, ParseResult, Task<int>> action)
    {
        command.SetAction(async (parse, cancellationToken) =>
        {
            var settings = new GlobalSettings
            {
                Store = parse.GetValue(StoreOption),
                Backend = parse.GetValue(BackendOption),
                Config = parse.GetValue(ConfigOption),
                Json = parse.GetValue(JsonOption),
                Verbose = parse.GetValue(VerboseOption),
                NoColor = parse.GetValue(NoColorOption),
            };
            var context = new CliContext(_host, _stdout, _stderr, settings, cancellationToken);
            using var telemetry = CliTelemetry.Start(context.Stores);
            try
            {
                return await action(context, parse).ConfigureAwait(false);
            }
            catch (Exception e)
            {
                return ReportError(context, e);
            }
        });
    }

    private RootCommand Build()
    {
        var root = new RootCommand(
            "ciaf: create, inspect, query, export and audit CIAF metadata stores of AI/ML pipelines.")
        {
            StoreOption, BackendOption, ConfigOption, JsonOption, VerboseOption, NoColorOption,
        };
        // --version: the version and the commit it was built from (SourceLink puts both in the informational version).
        foreach (var version in root.Options.OfType<VersionOption>())
        {
            version.Action = new VersionAction();
        }
        foreach (var command in new[]
                 {
                     InitCommand.Create(this), DemoCommand.Create(this), SaveCommand.Create(this), GetCommand.Create(this),
                     ListCommand.Create(this), SearchCommand.Create(this), IndexCommand.Create(this), TraceCommand.Create(this), EventsCommand.Create(this),
                     ComplianceCommand.Create(this), FairnessCommand.Create(this), LogCommand.Create(this), DocsCommand.Create(this), ModelCardCommand.Create(this),
                     IncidentCommand.Create(this), MonitoringCommand.Create(this),
                     ExportCommand.Create(this), ImportCommand.Create(this), MigrateCommand.Create(this),
                     BackupCommand.Create(this), RestoreCommand.Create(this), VerifyCommand.Create(this), ProveCommand.Create(this),
                     CleanupCommand.Create(this), HoldCommand.Create(this), SubjectCommand.Erase(this), SubjectCommand.Create(this), AuditCommand.Create(this), KeygenCommand.Create(this),
                     LedgerCommand.Create(this), VerifyReceiptCommand.Create(this), ServeCommand.Create(this), ApiKeyCommand.Create(this),
                     StatsCommand.Create(this), ConfigCommand.Create(this), CompletionCommand.Create(),
                 })
        {
            root.Add(command);
        }
        CommandExamples.AddTo(root);
        return root;
    }

    private static int ReportError(CliContext context, Exception e)
    {
        var (code, message) = e switch
        {
            CliException c => (c.ExitCode, c.Message),
            OperationCanceledException when context.CancellationToken.IsCancellationRequested =>
                (ExitCodes.Cancelled, "Cancelled; the store is consistent (nothing half-written was kept)."),
            MetadataValidationException v => (ExitCodes.Failure, v.Message),
            ArgumentException a => (ExitCodes.Usage, a.Message),
            MetadataConfigException c => (ExitCodes.Failure, c.Message),
            MetadataStorageException s => (ExitCodes.Failure, s.Message),
            JsonException j => (ExitCodes.Failure, "Invalid JSON: " + j.Message),
            IOException or UnauthorizedAccessException => (ExitCodes.Failure, e.Message),
            NotSupportedException => (ExitCodes.Failure, e.Message),
            System.Security.Cryptography.CryptographicException => (ExitCodes.Failure, e.Message),
            InvalidDataException => (ExitCodes.Failure, e.Message),
            _ => (ExitCodes.Failure, $"Unexpected error ({e.GetType().Name}): {e.Message}"),
        };
        context.Stderr.WriteLine($"ciaf: error: {StoreResolver.OneLine(message)}");
        if (context.Settings.Verbose)
        {
            context.Stderr.WriteLine(e.ToString());
        }
        else if (code == ExitCodes.Failure && e is not CliException)
        {
            context.Stderr.WriteLine("(run with --verbose for details)");
        }
        context.Stderr.Flush();
        return code;
    }

    private static string CommandPath(Command command)
    {
        var names = new List<string>();
        for (Symbol? s = command; s is Command c && s is not RootCommand; s = s.Parents.FirstOrDefault())
        {
            names.Insert(0, c.Name);
        }
        return string.Join(' ', names);
    }

    /// <summary><c>ciaf 1.0.0 (commit 0123456789ab)</c>: the package version and the commit it was built from.</summary>
    internal static string VersionText()
    {
        string informational = typeof(CliApp).Assembly
            .GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "unknown";
        int plus = informational.IndexOf('+', StringComparison.Ordinal);
        return plus < 0
            ? $"ciaf {informational}"
            : $"ciaf {informational[..plus]} (commit {informational[(plus + 1)..]})";
    }

    private sealed class VersionAction : SynchronousCommandLineAction
    {
        public override int Invoke(ParseResult parseResult)
        {
            parseResult.InvocationConfiguration.Output.WriteLine(VersionText());
            return ExitCodes.Success;
        }
    }
}
