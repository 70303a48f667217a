using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using Spectre.Console;

namespace Ciaf.Cli.Infrastructure;

/// <summary>
/// One run of a command: where its output goes, how it is rendered, and the store it resolved.
/// Data goes to stdout (a table for people, JSON with <c>--json</c>); everything else (which store was used,
/// progress, hints, errors) goes to stderr, so <c>--json</c> output stays parseable.
/// </summary>
internal sealed class CliContext
{
    public static readonly JsonSerializerOptions JsonOutputOptions = new()
    {
        WriteIndented = true,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public CliContext(CliHost host, TextWriter stdout, TextWriter stderr, GlobalSettings settings, CancellationToken cancellationToken)
    {
        Host = host;
        Stdout = stdout;
        Stderr = stderr;
        Settings = settings;
        CancellationToken = cancellationToken;
        bool noColor = settings.NoColor || !string.IsNullOrEmpty(host.GetEnvironmentVariable("NO_COLOR"));
        Out = CreateConsole(stdout, host.StdoutIsTerminal, noColor);
        Err = CreateConsole(stderr, host.StderrIsTerminal, noColor);
        Stores = new StoreResolver(host, settings);
        LoggerFactory = StderrLoggerProvider.CreateFactory(stderr);
    }

    /// <summary>The library's warnings and errors, one line each on stderr.</summary>
    public ILoggerFactory LoggerFactory { get; }

    public CliHost Host { get; }

    public TextWriter Stdout { get; }

    public TextWriter Stderr { get; }

    public GlobalSettings Settings { get; }

    public bool Json => Settings.Json;

    public CancellationToken CancellationToken { get; }

    /// <summary>Rendering on stdout (tables, trees).</summary>
    public IAnsiConsole Out { get; }

    /// <summary>Rendering on stderr (progress, notes).</summary>
    public IAnsiConsole Err { get; }

    /// <summary>Whether a live progress bar can be drawn (stderr is a terminal).</summary>
    public bool LiveProgress => Host.StderrIsTerminal;

    public StoreResolver Stores { get; }

    /// <summary>A note for people, on stderr (e.g. which store was used).</summary>
    public void Note(string text) => Err.MarkupLine($"[grey]{Markup.Escape(text)}[/]");

    /// <summary>Writes a JSON document to stdout (indented, UTF-8 text kept readable).</summary>
    public void WriteJson(JsonNode? node)
    {
        Stdout.WriteLine(node is null ? "null" : node.ToJsonString(JsonOutputOptions));
        Stdout.Flush();
    }

    /// <summary>Plain text on stdout (ids, paths, documents): never wrapped or styled.</summary>
    public void WriteLine(string text) => Stdout.WriteLine(text);

    private static IAnsiConsole CreateConsole(TextWriter writer, bool terminal, bool noColor)
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = terminal ? AnsiSupport.Detect : AnsiSupport.No,
            ColorSystem = terminal && !noColor ? ColorSystemSupport.Detect : ColorSystemSupport.NoColors,
            Interactive = terminal ? InteractionSupport.Detect : InteractionSupport.No,
            Out = new AnsiConsoleOutput(writer),
        });
        if (!terminal)
        {
            // Redirected output is read by scripts and tests: don't wrap tables at 80 columns.
            console.Profile.Width = 240;
        }
        return console;
    }
}
