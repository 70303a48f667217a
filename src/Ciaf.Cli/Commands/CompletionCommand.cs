using System.CommandLine;
using Ciaf.Cli.Infrastructure;

namespace Ciaf.Cli.Commands;

/// <summary>
/// <c>ciaf completion bash|zsh|powershell</c>: prints a script that completes commands, options and values in that
/// shell. The completions come from System.CommandLine itself, through its <c>[suggest:POSITION]</c> directive (the
/// one dotnet-suggest uses), so they always match the installed tool; the scripts only hand the line to it.
/// </summary>
internal static class CompletionCommand
{
    public static readonly IReadOnlyDictionary<string, string> Scripts = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        // Each hands System.CommandLine the line up to the cursor without the command word, and the cursor position in it.
        ["bash"] = """
            # ciaf completion for bash: source <(ciaf completion bash)
            _ciaf_complete() {
                local line="${COMP_LINE:0:COMP_POINT}"
                line="${line#"${COMP_WORDS[0]}"}"; line="${line# }"
                local IFS=$'\n'
                COMPREPLY=($(compgen -W "$("${COMP_WORDS[0]}" "[suggest:${#line}]" "$line" 2>/dev/null)" -- "${COMP_WORDS[COMP_CWORD]}"))
            }
            complete -o default -F _ciaf_complete ciaf
            """,
        ["zsh"] = """
            # ciaf completion for zsh: source <(ciaf completion zsh)
            _ciaf_complete() {
                local line="${BUFFER[1,$CURSOR]}"
                line="${line#${words[1]}}"; line="${line# }"
                local -a candidates
                candidates=("${(@f)$(${words[1]} "[suggest:${#line}]" "$line" 2>/dev/null)}")
                compadd -- $candidates
            }
            compdef _ciaf_complete ciaf
            """,
        ["powershell"] = """
            # ciaf completion for PowerShell: ciaf completion powershell | Out-String | Invoke-Expression
            Register-ArgumentCompleter -Native -CommandName ciaf -ScriptBlock {
                param($wordToComplete, $commandAst, $cursorPosition)
                $text = $commandAst.ToString()
                $line = $text.Substring(0, [Math]::Min($cursorPosition - $commandAst.Extent.StartOffset, $text.Length)) -replace '^\S+\s?', ''
                ciaf "[suggest:$($line.Length)]" "$line" 2>$null | Where-Object { $_ -like "$wordToComplete*" } | ForEach-Object {
                    [System.Management.Automation.CompletionResult]::new($_, $_, 'ParameterValue', $_)
                }
            }
            """,
    };

    public static Command Create()
    {
        var shell = new Argument<string>("shell") { Description = "The shell: bash, zsh or powershell." };
        shell.AcceptOnlyFromAmong([.. Scripts.Keys]);
        var command = new Command("completion", "Print the shell completion script for bash, zsh or PowerShell (load it from your shell's profile).") { shell };
        command.SetAction(parse =>
        {
            parse.InvocationConfiguration.Output.WriteLine(Scripts[parse.GetValue(shell)!]);
            return ExitCodes.Success;
        });
        return command;
    }
}
