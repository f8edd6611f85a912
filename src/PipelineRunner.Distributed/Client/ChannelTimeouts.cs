using System.Globalization;

namespace PipelineRunner.Distributed.Client;

/// <summary>
/// How long a driver or worker waits for a scheduler: to connect, and (HTTP/2 keep-alive pings) to hear from it once
/// connected. A scheduler that goes silent (frozen, or its network cut without a reset) is noticed within
/// <see cref="PingDelay"/> + <see cref="PingTimeout"/>, plus up to two ticks of the HTTP handler's keep-alive timer
/// (a quarter of the shorter of the two, at least 1 s).
/// </summary>
internal sealed record ChannelTimeouts
{
    private ChannelTimeouts(TimeSpan connect, TimeSpan pingDelay, TimeSpan pingTimeout)
    {
        Connect = connect;
        PingDelay = pingDelay;
        PingTimeout = pingTimeout;
    }

    /// <summary>The defaults of the driver's and worker's options: connect 10 s, ping delay 5 s, ping timeout 10 s.</summary>
    public static ChannelTimeouts Default { get; } = new(TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(10));

    /// <summary>How long connecting (TCP and TLS) may take.</summary>
    public TimeSpan Connect { get; }

    /// <summary>How long the connection may be silent before a ping is sent.</summary>
    public TimeSpan PingDelay { get; }

    /// <summary>How long a ping may go unanswered before the connection is declared dead.</summary>
    public TimeSpan PingTimeout { get; }

    /// <summary>How long a silent scheduler goes unnoticed at most, timer ticks aside: <see cref="PingDelay"/> + <see cref="PingTimeout"/>.</summary>
    public TimeSpan SilenceBound => PingDelay + PingTimeout;

    /// <summary>Checks the settings of <paramref name="owner"/> (an options type's name, for the message).</summary>
    /// <exception cref="ArgumentException">A setting is out of range; the message names it and its value.</exception>
    public static ChannelTimeouts Create(string owner, TimeSpan connect, TimeSpan pingDelay, TimeSpan pingTimeout) =>
        Problem(owner, connect, pingDelay, pingTimeout) is { } problem
            ? throw new ArgumentException(problem)
            : new ChannelTimeouts(connect, pingDelay, pingTimeout);

    /// <summary>What is wrong with the settings of <paramref name="owner"/>, or null.</summary>
    public static string? Problem(string owner, TimeSpan connect, TimeSpan pingDelay, TimeSpan pingTimeout) =>
        connect <= TimeSpan.Zero ? $"{owner}.ConnectTimeout must be positive, got {Seconds(connect)} s."
        // HTTP/2 pings cannot be scheduled more finely than a second (SocketsHttpHandler refuses less).
        : pingDelay < TimeSpan.FromSeconds(1) ? $"{owner}.PingDelay must be at least 1 s, got {Seconds(pingDelay)} s."
        : pingTimeout < TimeSpan.FromSeconds(1) ? $"{owner}.PingTimeout must be at least 1 s, got {Seconds(pingTimeout)} s."
        : null;

    /// <summary>A duration in seconds for messages: <c>2</c>, <c>0.5</c>, <c>1.25</c>.</summary>
    public static string Seconds(TimeSpan value) => value.TotalSeconds.ToString("0.##", CultureInfo.InvariantCulture);
}
