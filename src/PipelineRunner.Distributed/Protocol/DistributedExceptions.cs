namespace PipelineRunner.Distributed;

/// <summary>
/// The scheduler cannot be reached, refused the client, or the connection to it was lost mid-run (it closed, or stopped
/// answering for the client's ping delay + ping timeout). The message is one sentence naming the scheduler's address
/// and the reason ("Cannot reach the scheduler at http://…: connection refused."); the inner exception, when there is
/// one, is a <c>Grpc.Core.RpcException</c> with status <c>Unavailable</c> (or the scheduler's own refusal status) whose
/// debug exception is the transport's error.
/// </summary>
public sealed class SchedulerUnavailableException : Exception
{
    /// <summary>Creates the exception.</summary>
    public SchedulerUnavailableException()
    {
    }

    /// <summary>Creates the exception.</summary>
    /// <param name="message">What failed, with the scheduler's address.</param>
    public SchedulerUnavailableException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception.</summary>
    /// <param name="message">What failed, with the scheduler's address.</param>
    /// <param name="innerException">The transport error.</param>
    public SchedulerUnavailableException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

/// <summary>A node failed on a worker: carries the worker and the original exception's type, message and stack.</summary>
public sealed class RemoteNodeException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="nodeName">The node.</param>
    /// <param name="workerId">The worker it ran on.</param>
    /// <param name="remoteType">The original exception's full type name.</param>
    /// <param name="remoteMessage">The original exception's message.</param>
    /// <param name="remoteStackTrace">The original exception as text, with its stack trace.</param>
    public RemoteNodeException(string nodeName, string workerId, string remoteType, string remoteMessage, string remoteStackTrace)
        : base($"Node '{nodeName}' failed on worker '{workerId}': {remoteType}: {remoteMessage}")
    {
        NodeName = nodeName;
        WorkerId = workerId;
        RemoteType = remoteType;
        RemoteMessage = remoteMessage;
        RemoteStackTrace = remoteStackTrace;
    }

    /// <summary>The node.</summary>
    public string NodeName { get; }

    /// <summary>The worker the node ran on.</summary>
    public string WorkerId { get; }

    /// <summary>The original exception's full type name.</summary>
    public string RemoteType { get; }

    /// <summary>The original exception's message.</summary>
    public string RemoteMessage { get; }

    /// <summary>The original exception as text, with its stack trace as seen on the worker.</summary>
    public string RemoteStackTrace { get; }

    /// <inheritdoc />
    public override string ToString() => $"{base.ToString()}\n--- Remote exception on worker '{WorkerId}' ---\n{RemoteStackTrace}";
}

/// <summary>A worker refused a node, for example because its pipeline definition differs from the driver's.</summary>
public sealed class NodeRefusedException : Exception
{
    /// <summary>Creates the exception.</summary>
    public NodeRefusedException()
    {
    }

    /// <summary>Creates the exception.</summary>
    /// <param name="message">Why the node was refused.</param>
    public NodeRefusedException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception.</summary>
    /// <param name="message">Why the node was refused.</param>
    /// <param name="innerException">The cause.</param>
    public NodeRefusedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

/// <summary>
/// A node was running on workers that died (killed, crashed or cut off) more often than the scheduler allows
/// (<see cref="Scheduling.SchedulerOptions.AllowedWorkerDeaths"/>), so it was failed instead of being run again: its
/// execution probably kills its worker.
/// </summary>
public sealed class PoisonNodeException : Exception
{
    /// <summary>Creates the exception.</summary>
    public PoisonNodeException()
    {
    }

    /// <summary>Creates the exception.</summary>
    /// <param name="message">The node, the workers that died and the limit.</param>
    public PoisonNodeException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception.</summary>
    /// <param name="message">The node, the workers that died and the limit.</param>
    /// <param name="innerException">The cause, if any.</param>
    public PoisonNodeException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
