namespace PipelineRunner.Runners;

/// <summary>
/// When and how often a node is run again after its attempt failed with an exception marked transient: per node
/// (<see cref="Pipelines.Node.WithRetry"/>) or for a whole run (<see cref="RunnerOptions.RetryPolicy"/>). Deterministic
/// failures (any other exception) are never retried.
/// </summary>
/// <remarks>
/// This is not about work lost with a dead worker: the distributed scheduler re-runs such nodes by itself, up to
/// <c>SchedulerOptions.AllowedWorkerDeaths</c> times, whatever the retry policy says.
/// </remarks>
public sealed class RetryPolicy
{
    private readonly int _maxAttempts = 3;
    private readonly double _backoffMultiplier = 2;
    private readonly TimeSpan _delay = TimeSpan.FromMilliseconds(200);
    private readonly TimeSpan _maxDelay = TimeSpan.FromSeconds(30);

    /// <summary>No retries: one attempt.</summary>
    public static RetryPolicy None { get; } = new() { MaxAttempts = 1 };

    /// <summary>Attempts in all, the first included; at least 1. Default 3.</summary>
    public int MaxAttempts
    {
        get => _maxAttempts;
        init => _maxAttempts = value >= 1 ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "A retry policy needs at least 1 attempt.");
    }

    /// <summary>The wait before the second attempt; zero or more. Default 200 ms.</summary>
    public TimeSpan Delay
    {
        get => _delay;
        init => _delay = value >= TimeSpan.Zero ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "A retry delay cannot be negative.");
    }

    /// <summary>How much the wait grows before each further attempt; at least 1. Default 2.</summary>
    public double BackoffMultiplier
    {
        get => _backoffMultiplier;
        init => _backoffMultiplier = value >= 1 ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "The backoff multiplier must be at least 1.");
    }

    /// <summary>The longest wait between attempts; zero or more. Default 30 s.</summary>
    public TimeSpan MaxDelay
    {
        get => _maxDelay;
        init => _maxDelay = value >= TimeSpan.Zero ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "A retry delay cannot be negative.");
    }

    /// <summary>
    /// Which exceptions are transient. By default, a <see cref="TransientException"/> (or one wrapped in the exception),
    /// so a node marks a failure transient by throwing one; <see cref="For{TException}"/> names other types.
    /// </summary>
    public Func<Exception, bool> IsTransient { get; init; } = IsMarkedTransient;

    /// <summary>Whether <see cref="IsTransient"/> is the default (the only predicate that can be sent to remote workers).</summary>
    public bool HasDefaultPredicate => IsTransient == IsMarkedTransient;

    /// <summary>A policy that retries exceptions of type <typeparamref name="TException"/> (and <see cref="TransientException"/>).</summary>
    /// <typeparam name="TException">The transient exception type, such as <see cref="TimeoutException"/> or <see cref="IOException"/>.</typeparam>
    /// <param name="maxAttempts">Attempts in all.</param>
    /// <param name="delay">The wait before the second attempt; 200 ms when null.</param>
    /// <returns>The policy.</returns>
    public static RetryPolicy For<TException>(int maxAttempts = 3, TimeSpan? delay = null)
        where TException : Exception =>
        new()
        {
            MaxAttempts = maxAttempts,
            Delay = delay ?? TimeSpan.FromMilliseconds(200),
            IsTransient = ex => IsMarkedTransient(ex) || Unwrap(ex).Any(e => e is TException),
        };

    /// <summary>Whether a failed <paramref name="attempt"/> (1 for the first) should be followed by another.</summary>
    /// <param name="error">What the attempt threw.</param>
    /// <param name="attempt">The attempt that failed.</param>
    /// <returns>True to run the node again.</returns>
    /// <remarks>The run's own cancellation never reaches this: it ends the run. A timeout surfacing as a cancellation (an HttpClient timeout) is retried when <see cref="IsTransient"/> says so.</remarks>
    public bool ShouldRetry(Exception error, int attempt) => attempt < MaxAttempts && IsTransient(error);

    /// <summary>The wait after failed attempt <paramref name="attempt"/>: <see cref="Delay"/> grown by <see cref="BackoffMultiplier"/>, at most <see cref="MaxDelay"/>.</summary>
    /// <param name="attempt">The attempt that failed (1 for the first).</param>
    /// <returns>The wait.</returns>
    public TimeSpan DelayAfter(int attempt)
    {
        var delay = Delay.TotalMilliseconds * Math.Pow(BackoffMultiplier, attempt - 1);
        return TimeSpan.FromMilliseconds(Math.Min(delay, MaxDelay.TotalMilliseconds));
    }

    private static bool IsMarkedTransient(Exception error) => Unwrap(error).Any(e => e is TransientException);

    private static IEnumerable<Exception> Unwrap(Exception error)
    {
        for (Exception? e = error; e is not null; e = e.InnerException)
        {
            yield return e;
        }
    }
}

/// <summary>
/// Thrown by a node (or wrapping the real cause) to mark a failure transient: a <see cref="RetryPolicy"/> runs the node
/// again. Any other exception is a deterministic failure and is not retried.
/// </summary>
public class TransientException : Exception
{
    /// <summary>Creates the exception.</summary>
    public TransientException()
    {
    }

    /// <summary>Creates the exception.</summary>
    /// <param name="message">What failed.</param>
    public TransientException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception.</summary>
    /// <param name="message">What failed.</param>
    /// <param name="innerException">The cause.</param>
    public TransientException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
