using Microsoft.Extensions.Logging;

namespace PipelineRunner.Runners;

/// <summary>Runs nodes one at a time in <see cref="Pipelines.Pipeline.Nodes"/> order.</summary>
public sealed class SequentialRunner : AbstractRunner
{
    /// <summary>Creates the runner.</summary>
    /// <param name="options">Runner options; defaults when null.</param>
    /// <param name="logger">Logger; none when null.</param>
    public SequentialRunner(RunnerOptions? options = null, ILogger<SequentialRunner>? logger = null)
        : base(options, logger)
    {
    }

    /// <inheritdoc />
    protected override Task ExecuteAsync(PipelineRun run, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(run);
        return run.ExecuteAsync(1, cancellationToken);
    }
}
