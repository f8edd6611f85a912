using System.Globalization;

namespace PipelineRunner.Distributed.Protocol;

/// <summary>The hand-written command lines' argument reading (for apps without the host), shared by worker and scheduler.</summary>
internal static class CommandLineArgs
{
    /// <summary>The value after <paramref name="name"/> in <paramref name="args"/>, or null.</summary>
    public static string? Option(string[] args, string name)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
    }

    /// <summary>A positive number given for <paramref name="option"/>.</summary>
    /// <exception cref="ArgumentException">It is not one; the message names the option and the text.</exception>
    public static double PositiveNumber(string text, string option) =>
        double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && value > 0
            ? value
            : throw new ArgumentException($"{option} must be a positive number, got '{text}'.");
}
