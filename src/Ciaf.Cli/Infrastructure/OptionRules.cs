using System.CommandLine;
using System.Globalization;

namespace Ciaf.Cli.Infrastructure;

/// <summary>Range checks on integer options that never throw on text the parser could not convert (the parser reports that itself).</summary>
internal static class OptionRules
{
    public static T AtLeast<T>(this T option, int minimum, string? message = null) where T : Option =>
        option.Where(value => value >= minimum, value => message ?? $"{option.Name} must be at least {minimum}; got {value}.");

    public static T AtMost<T>(this T option, int maximum, string? message = null) where T : Option =>
        option.Where(value => value <= maximum, value => message ?? $"{option.Name} must be at most {maximum}; got {value}.");

    private static T Where<T>(this T option, Func<int, bool> allowed, Func<int, string> message) where T : Option
    {
        option.Validators.Add(result =>
        {
            if (result.Tokens.Count == 1 && int.TryParse(result.Tokens[0].Value, NumberStyles.Integer, CultureInfo.InvariantCulture, out int value) && !allowed(value))
            {
                result.AddError(message(value));
            }
        });
        return option;
    }
}
