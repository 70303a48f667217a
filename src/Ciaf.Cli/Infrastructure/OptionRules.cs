using System.CommandLine;
using System.Globalization;

namespace Ciaf.Cli.Infrastructure;

/// <summary>Range checks on integer options that never throw on text the parser could not convert (the parser reports that itself).</summary>
internal static class OptionRules
{
    public static T AtLeast<T>(this T option, int minimum, string? message = null) where T : Option
    {
        option.Validators.Add(result =>
        {
            if (result.Tokens.Count == 1 && int.TryParse(result.Tokens[0].Value, NumberStyles.Integer, CultureInfo.InvariantCulture, out int value) && value < minimum)
            {
                result.AddError(message ?? $"{option.Name} must be at least {minimum}; got {value}.");
            }
        });
        return option;
    }
}
