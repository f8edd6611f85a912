namespace PipelineRunner.Distributed.Protocol;

/// <summary>
/// What a scheduler address must be, for every place one is given (runner and worker options, every command line): an
/// absolute http(s) URL with nothing after the host and port; http needs an explicit port (a scheduler on port 80 is a
/// mistake far more often than not), https may use its default 443 (an ingress).
/// </summary>
internal static class SchedulerAddressRule
{
    /// <summary>What is wrong with <paramref name="address"/>, as a clause; null when it is a valid scheduler address.</summary>
    public static string? Problem(Uri address)
    {
        ArgumentNullException.ThrowIfNull(address);
        return !address.IsAbsoluteUri ? "it is not an absolute URL"
            : address.Scheme is not ("http" or "https") ? $"its scheme is '{address.Scheme}', not http or https"
            : address.Scheme == "http" && !HasExplicitPort(address) ? "it has no port (the scheduler prints its address, port included, when it starts)"
            : address.AbsolutePath != "/" || address.Query.Length > 0 || address.Fragment.Length > 0 ? "it has a path, query or fragment"
            : null;
    }

    /// <summary>Checks <paramref name="address"/>, given through <paramref name="source"/> (such as <c>--scheduler</c>).</summary>
    /// <exception cref="ArgumentException">It is not a valid scheduler address; the message names the source and the value.</exception>
    public static void Check(Uri address, string source)
    {
        if (Problem(address) is { } problem)
        {
            throw new ArgumentException(Message(address, source, problem));
        }
    }

    /// <summary>The one-line message for a <see cref="Problem"/> of an address given by <paramref name="source"/>.</summary>
    public static string Message(Uri address, string source, string problem) =>
        $"Invalid scheduler address '{address.OriginalString}' ({source}): {problem}. Expected http://HOST:PORT or https://HOST:PORT.";

    /// <summary>Parses and checks a scheduler address typed as text.</summary>
    /// <exception cref="ArgumentException">It is missing or not a valid scheduler address.</exception>
    public static Uri Parse(string? text, string source)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            throw new ArgumentException($"A scheduler address is needed ({source}), such as http://127.0.0.1:5123.");
        }

        if (!Uri.TryCreate(text, UriKind.Absolute, out var address))
        {
            throw new ArgumentException($"Invalid scheduler address '{text}' ({source}): it is not an absolute URL. Expected http://HOST:PORT or https://HOST:PORT.");
        }

        Check(address, source);
        return address;
    }

    private static bool HasExplicitPort(Uri address)
    {
        if (!address.IsDefaultPort)
        {
            return true;
        }

        // A default port written out (http://host:80) counts: look for ':digits' right after the host.
        var afterScheme = address.OriginalString[(address.OriginalString.IndexOf("://", StringComparison.Ordinal) + 3)..];
        var authority = afterScheme.Split('/', 2)[0];
        var colon = authority.LastIndexOf(':');
        return colon >= 0 && colon > authority.LastIndexOf(']') && authority[(colon + 1)..].All(char.IsAsciiDigit) && colon < authority.Length - 1;
    }
}
