using System.Collections.Concurrent;
using PipelineRunner.Hooks;

namespace PipelineRunner.Distributed.Workers;

/// <summary>
/// The hooks of the runs a driver has in flight, by run id, for workers in the driver's own process (the local pool of
/// <see cref="DistributedRunner"/>): hooks belong to a run (<see cref="Runners.RunOptions.Hooks"/>) while the pool
/// belongs to the runner, so a pool worker looks up the hooks of the run that assigned it a node. Workers in other
/// processes take their hooks from <see cref="WorkerOptions.Hooks"/> instead.
/// </summary>
internal sealed class RunHookRegistry
{
    private readonly ConcurrentDictionary<string, IReadOnlyList<IRunHook>> _runs = new(StringComparer.Ordinal);

    /// <summary>Registers a run's hooks until <see cref="Remove"/>; a run without hooks need not be registered.</summary>
    public void Add(string runId, IReadOnlyList<IRunHook> hooks) => _runs[runId] = hooks;

    /// <summary>Forgets a run's hooks (the run ended).</summary>
    public void Remove(string runId) => _runs.TryRemove(runId, out _);

    /// <summary>The run's hooks; none when the run registered none (or has ended).</summary>
    public IReadOnlyList<IRunHook> For(string runId) => _runs.TryGetValue(runId, out var hooks) ? hooks : [];
}
