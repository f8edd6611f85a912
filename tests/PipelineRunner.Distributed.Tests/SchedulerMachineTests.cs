using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using PipelineRunner.Distributed.Protocol;
using PipelineRunner.Distributed.Scheduling;

namespace PipelineRunner.Distributed.Tests;

/// <summary>
/// The scheduler's state machine without a cluster (as dask's test_worker_state_machine.py does): every transition
/// of <see cref="NodeTransitions.Table"/>, and events that would need an illegal one.
/// </summary>
public sealed class SchedulerMachineTests
{
    private static readonly DateTimeOffset Start = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private readonly FakeTimeProvider _time = new(Start);
    private readonly SchedulerOptions _options = new() { AllowedWorkerDeaths = 1 };

    private SchedulerMachine NewMachine() => new(_options, _time, NullLogger.Instance);

    private static NodeSpec Node(string name, params string[] dependencies)
    {
        var spec = new NodeSpec { Name = name };
        spec.Dependencies.AddRange(dependencies);
        return spec;
    }

    private static RunState Build(string id, bool continueOnFailure, params NodeSpec[] nodes)
    {
        var request = new SubmitRunRequest { RunId = id, ContinueOnFailure = continueOnFailure, SessionId = "session-" + id };
        request.Nodes.AddRange(nodes);
        return SchedulerMachine.BuildRun(request, new SchedulerOptions());
    }

    private static RunState Build(string id, params NodeSpec[] nodes) => Build(id, continueOnFailure: false, nodes);

    private static List<(string Node, NodeStatus From, NodeStatus To)> Changes(List<Instruction> instructions) =>
        instructions.OfType<Instruction.Publish>().Select(p => p.Change).OfType<NodeStateChanged>().Select(c => (c.Node, c.From, c.To)).ToList();

    private static List<RunEvent> Emitted(List<Instruction> instructions) =>
        instructions.OfType<Instruction.Emit>().Select(e => e.Event).ToList();

    private static NodeCompleted Completed(RunState run, string node) => new() { RunId = run.Id, Node = node };

    private static NodeFailed Failed(RunState run, string node) => new() { RunId = run.Id, Node = node, ErrorType = "System.Exception", Message = "boom" };

    private static WorkerState Join(SchedulerMachine machine, string id, int concurrency = 1)
    {
        var worker = new WorkerState(id, concurrency);
        machine.Handle(new SchedulerEvent.WorkerJoined(worker));
        return worker;
    }

    [Fact]
    public void Table_AllowsExactlyItsTransitions_AndNothingLeavesATerminalStatus()
    {
        var statuses = Enum.GetValues<NodeStatus>();
        var allowed = statuses.SelectMany(from => statuses.Where(to => NodeTransitions.IsAllowed(from, to)).Select(to => (from, to))).ToHashSet();

        Assert.Equal(NodeTransitions.Table.Select(t => (t.From, t.To)).ToHashSet(), allowed);
        Assert.Equal(8, allowed.Count);
        Assert.DoesNotContain(allowed, t => NodeTransitions.IsTerminal(t.from));
        Assert.DoesNotContain(allowed, t => t.from == t.to);
        Assert.False(NodeTransitions.IsAllowed(NodeStatus.Waiting, NodeStatus.Running)); // never skips Ready
    }

    [Fact]
    public void WaitingToReady_WhenItsLastDependencyCompletes_ThenReadyToRunning_OnTheFreeSlot()
    {
        var machine = NewMachine();
        var worker = Join(machine, "w");
        var run = Build("r", Node("a"), Node("b", "a"));

        var submitted = machine.Handle(new SchedulerEvent.RunSubmitted(run));
        Assert.Equal([("a", NodeStatus.Waiting, NodeStatus.Ready), ("a", NodeStatus.Ready, NodeStatus.Running)], Changes(submitted));
        Assert.Equal(NodeStatus.Waiting, run.Nodes["b"].Status);

        var completed = machine.Handle(new SchedulerEvent.CompletionReported(worker, Completed(run, "a")));

        Assert.Equal(
            [("a", NodeStatus.Running, NodeStatus.Done), ("b", NodeStatus.Waiting, NodeStatus.Ready), ("b", NodeStatus.Ready, NodeStatus.Running)],
            Changes(completed));
        var assign = Assert.Single(completed.OfType<Instruction.Assign>());
        Assert.Equal(("r", "b", "w"), (assign.Message.RunId, assign.Message.Node.Name, assign.Worker.Id));
        Assert.Equal("a", Assert.Single(Emitted(completed)).Completed.Node);
    }

    [Fact]
    public void ReadyToRunning_WhenAWorkerJoins_AndNotBefore()
    {
        var machine = NewMachine();
        var run = Build("r", Node("a"));
        var submitted = machine.Handle(new SchedulerEvent.RunSubmitted(run));
        Assert.Equal([("a", NodeStatus.Waiting, NodeStatus.Ready)], Changes(submitted));
        Assert.Empty(submitted.OfType<Instruction.Assign>());

        var worker = new WorkerState("w", 1);
        var joined = machine.Handle(new SchedulerEvent.WorkerJoined(worker));

        Assert.Equal([("a", NodeStatus.Ready, NodeStatus.Running)], Changes(joined));
        Assert.Same(worker, Assert.Single(joined.OfType<Instruction.Assign>()).Worker);
        Assert.Equal("w", ((NodeStateChanged)Assert.Single(joined.OfType<Instruction.Publish>()).Change).Worker);
        Assert.Equal(Start, Assert.Single(joined.OfType<Instruction.Publish>()).Change.Time);
    }

    [Fact]
    public void ReadyToRunning_TheAssignmentCarriesTheRunsSessionId_AndInlinesTheNodesStoreInputs()
    {
        var machine = NewMachine();
        Join(machine, "w");
        var spec = Node("a");
        spec.Datasets.Add(new DatasetSpec { Name = "x" });
        spec.StoreInputs.Add("x");
        var run = Build("r", spec);

        var submitted = machine.Handle(new SchedulerEvent.RunSubmitted(run));

        Assert.Equal([("a", NodeStatus.Waiting, NodeStatus.Ready), ("a", NodeStatus.Ready, NodeStatus.Running)], Changes(submitted));
        var assign = Assert.Single(submitted.OfType<Instruction.Assign>());
        Assert.Equal("session-r", assign.Message.SessionId); // for the node hooks on the worker
        Assert.Equal(["x"], assign.InlineInputs);
        Assert.Empty(Emitted(submitted)); // nothing to tell the driver until the node reports
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Assignments_AskWorkersToMeasureLoadsAndSaves_OnlyForARunThatRecordsAReport(bool measure)
    {
        var machine = NewMachine();
        Join(machine, "w");
        var request = new SubmitRunRequest { RunId = "r", Measure = measure };
        request.Nodes.Add(Node("a"));

        var submitted = machine.Handle(new SchedulerEvent.RunSubmitted(SchedulerMachine.BuildRun(request, new SchedulerOptions())));

        Assert.Equal(measure, Assert.Single(submitted.OfType<Instruction.Assign>()).Message.Measure);
    }

    [Fact]
    public void RetryReport_OfARunningNode_GoesToTheDriverNamingTheWorker_AndChangesNoStatus()
    {
        var machine = NewMachine();
        var worker = Join(machine, "w");
        var run = Build("r", Node("a"));
        machine.Handle(new SchedulerEvent.RunSubmitted(run));

        var retrying = machine.Handle(new SchedulerEvent.RetryReported(worker, new NodeRetrying { RunId = "r", Node = "a" }));

        Assert.Empty(Changes(retrying));
        Assert.Equal(("a", "w"), (Assert.Single(Emitted(retrying)).Retrying.Node, Emitted(retrying)[0].Retrying.Worker));
        Assert.Equal(NodeStatus.Running, run.Nodes["a"].Status);
    }

    [Fact]
    public void WaitingToCancelled_WhenTheRunStopsAfterAFailure()
    {
        var machine = NewMachine();
        var worker = Join(machine, "w", concurrency: 2);
        var run = Build("r", Node("a"), Node("c", "a"));
        machine.Handle(new SchedulerEvent.RunSubmitted(run));

        var failed = machine.Handle(new SchedulerEvent.FailureReported(worker, Failed(run, "a")));

        Assert.Equal([("a", NodeStatus.Running, NodeStatus.Failed), ("c", NodeStatus.Waiting, NodeStatus.Cancelled)], Changes(failed));
        Assert.Equal("boom", Assert.Single(Emitted(failed)).Failed.Message);
        Assert.Single(failed.OfType<Instruction.EndRun>());
        Assert.Equal(RunStatus.Finished, run.Status);
        Assert.Empty(worker.Running);
    }

    [Fact]
    public void ReadyToCancelled_WhenTheRunStops_WhileRunningNodesFinish()
    {
        var machine = NewMachine();
        var worker = Join(machine, "w", concurrency: 2);
        var run = Build("r", Node("a"), Node("b"), Node("c"));
        machine.Handle(new SchedulerEvent.RunSubmitted(run)); // a and b run, c is Ready

        var failed = machine.Handle(new SchedulerEvent.FailureReported(worker, Failed(run, "a")));

        Assert.Equal([("a", NodeStatus.Running, NodeStatus.Failed), ("c", NodeStatus.Ready, NodeStatus.Cancelled)], Changes(failed));
        Assert.Equal(RunStatus.Stopped, run.Status);
        Assert.Empty(failed.OfType<Instruction.Assign>()); // the free slot gets nothing of a stopped run
        Assert.Empty(failed.OfType<Instruction.EndRun>()); // b still runs

        var done = machine.Handle(new SchedulerEvent.CompletionReported(worker, Completed(run, "b")));
        Assert.Equal([("b", NodeStatus.Running, NodeStatus.Done)], Changes(done));
        Assert.Single(done.OfType<Instruction.EndRun>());
    }

    [Fact]
    public void ContinueOnFailure_RunsTheRest_AndCancelsTheFailedNodesDependentsWhenTheRunEnds()
    {
        var machine = NewMachine();
        var worker = Join(machine, "w");
        var run = Build("r", continueOnFailure: true, Node("a"), Node("b"), Node("c", "a"));
        machine.Handle(new SchedulerEvent.RunSubmitted(run));

        var failed = machine.Handle(new SchedulerEvent.FailureReported(worker, Failed(run, "a")));
        Assert.Equal([("a", NodeStatus.Running, NodeStatus.Failed), ("b", NodeStatus.Ready, NodeStatus.Running)], Changes(failed));

        var done = machine.Handle(new SchedulerEvent.CompletionReported(worker, Completed(run, "b")));
        Assert.Equal([("b", NodeStatus.Running, NodeStatus.Done), ("c", NodeStatus.Waiting, NodeStatus.Cancelled)], Changes(done));
        Assert.Single(done.OfType<Instruction.EndRun>());
    }

    [Fact]
    public void RunningToDone_WithInlineOutputs_StoresThemFirst_AndCompletesOnlyOnceStored()
    {
        var machine = NewMachine();
        var worker = Join(machine, "w");
        var spec = Node("a");
        spec.Datasets.Add(new DatasetSpec { Name = "y" });
        var run = Build("r", spec, Node("b", "a"));
        machine.Handle(new SchedulerEvent.RunSubmitted(run));
        var completed = Completed(run, "a");
        completed.Outputs.Add(new InlineValue { Name = "y", Data = Google.Protobuf.ByteString.CopyFrom(1, 2, 3) });

        var reported = machine.Handle(new SchedulerEvent.CompletionReported(worker, completed));

        Assert.Same(completed, Assert.Single(reported.OfType<Instruction.StoreInline>()).Completed);
        Assert.Empty(Changes(reported));
        Assert.Empty(Emitted(reported));
        Assert.Equal(NodeStatus.Running, run.Nodes["a"].Status);

        completed.Outputs.Clear();
        var stored = machine.Handle(new SchedulerEvent.InlineOutputsStored(worker, completed));
        Assert.Equal(("a", NodeStatus.Running, NodeStatus.Done), Changes(stored)[0]);
        Assert.Equal("a", Emitted(stored)[0].Completed.Node);
    }

    [Fact]
    public void RunningToFailed_WhenAnInlineOutputIsNotOneOfTheNodesStoreDatasets()
    {
        var machine = NewMachine();
        var worker = Join(machine, "w");
        var run = Build("r", Node("a"));
        machine.Handle(new SchedulerEvent.RunSubmitted(run));
        var completed = Completed(run, "a");
        completed.Outputs.Add(new InlineValue { Name = "elsewhere", Data = Google.Protobuf.ByteString.CopyFrom(1) });

        var reported = machine.Handle(new SchedulerEvent.CompletionReported(worker, completed));

        Assert.Equal([("a", NodeStatus.Running, NodeStatus.Failed)], Changes(reported));
        Assert.Empty(reported.OfType<Instruction.StoreInline>());
        Assert.Contains("'elsewhere'", Assert.Single(Emitted(reported)).Failed.Message, StringComparison.Ordinal);
        Assert.Empty(worker.Running);
    }

    [Fact]
    public void RunningToReady_WhenItsWorkerDies_CountingTheDeath_AndRunningAgainElsewhere()
    {
        var machine = NewMachine();
        var first = Join(machine, "w1");
        var run = Build("r", Node("a"));
        machine.Handle(new SchedulerEvent.RunSubmitted(run));
        var second = Join(machine, "w2");

        var lost = machine.Handle(new SchedulerEvent.WorkerLost(first));

        Assert.Equal([("a", NodeStatus.Running, NodeStatus.Ready), ("a", NodeStatus.Ready, NodeStatus.Running)], Changes(lost));
        Assert.Same(second, Assert.Single(lost.OfType<Instruction.Assign>()).Worker);
        Assert.Same(first, Assert.Single(lost.OfType<Instruction.Disconnect>()).Worker);
        Assert.Equal(["w1"], run.Nodes["a"].DeadWorkers);
        Assert.Equal(1, machine.WorkerCount);
    }

    [Fact]
    public void RunningToReady_WhenItsWorkerLeaves_WithoutCountingADeath_AndTheLeavingWorkerGetsNothingNew()
    {
        var machine = NewMachine();
        var worker = Join(machine, "w", concurrency: 1);
        var run = Build("r", Node("a"), Node("b"));
        machine.Handle(new SchedulerEvent.RunSubmitted(run));

        Assert.Empty(machine.Handle(new SchedulerEvent.WorkerLeaving(worker)));
        var finished = machine.Handle(new SchedulerEvent.CompletionReported(worker, Completed(run, "a")));
        Assert.Empty(finished.OfType<Instruction.Assign>()); // b stays Ready: the worker is leaving

        var left = machine.Handle(new SchedulerEvent.WorkerLost(worker));
        Assert.Empty(Changes(left)); // nothing was running
        Assert.Equal(NodeStatus.Ready, run.Nodes["b"].Status);
        Assert.Empty(run.Nodes["b"].DeadWorkers);
    }

    [Fact]
    public void RunningToFailed_AsPoisonous_WhenMoreWorkersThanAllowedDiedRunningIt()
    {
        var machine = NewMachine(); // AllowedWorkerDeaths = 1
        var run = Build("r", Node("a"));
        machine.Handle(new SchedulerEvent.RunSubmitted(run));
        machine.Handle(new SchedulerEvent.WorkerLost(Join(machine, "w1")));

        var lost = machine.Handle(new SchedulerEvent.WorkerLost(Join(machine, "w2")));

        Assert.Equal([("a", NodeStatus.Running, NodeStatus.Failed)], Changes(lost));
        var failed = Assert.Single(Emitted(lost)).Failed;
        Assert.True(failed.Poisoned);
        Assert.Equal("w2", failed.Worker);
        Assert.Contains("(w1, w2)", failed.Message, StringComparison.Ordinal);
        Assert.Single(lost.OfType<Instruction.EndRun>());
    }

    [Fact]
    public void RunningToCancelled_WhenTheDriverCancels_SendingCancelNode_AndStartingTheLease()
    {
        var machine = NewMachine();
        var worker = Join(machine, "w");
        var spec = Node("a");
        spec.Datasets.Add(new DatasetSpec { Name = "out" });
        spec.Datasets.Add(new DatasetSpec { Name = "file", DefinitionJson = "{}" });
        var run = Build("r", spec, Node("b", "a"));
        machine.Handle(new SchedulerEvent.RunSubmitted(run));

        var cancelled = machine.Handle(new SchedulerEvent.RunCancelled(run));

        Assert.Equal([("b", NodeStatus.Waiting, NodeStatus.Cancelled), ("a", NodeStatus.Running, NodeStatus.Cancelled)], Changes(cancelled));
        var cancel = Assert.Single(cancelled.OfType<Instruction.Cancel>());
        Assert.Equal(("w", "a"), (cancel.Worker.Id, cancel.Message.Node));
        Assert.Equal(["out"], Assert.Single(cancelled.OfType<Instruction.StartLease>()).Datasets); // not the file's definition
        Assert.Single(cancelled.OfType<Instruction.EndRun>());
        Assert.Single(worker.Running); // its slot is held until the worker reports

        var late = machine.Handle(new SchedulerEvent.CompletionReported(worker, Completed(run, "a")));
        Assert.Empty(Changes(late));
        Assert.Empty(Emitted(late));
        Assert.Empty(worker.Running); // a report on a cancelled node frees the slot and nothing else
    }

    [Fact]
    public void RunningToCancelled_WhenItsWorkerDiesAfterTheRunStopped()
    {
        var machine = NewMachine();
        var worker = Join(machine, "w", concurrency: 2);
        var run = Build("r", Node("a"), Node("b"));
        machine.Handle(new SchedulerEvent.RunSubmitted(run));
        machine.Handle(new SchedulerEvent.FailureReported(worker, Failed(run, "a")));

        var lost = machine.Handle(new SchedulerEvent.WorkerLost(worker));

        Assert.Equal([("b", NodeStatus.Running, NodeStatus.Cancelled)], Changes(lost));
        Assert.Empty(run.Nodes["b"].DeadWorkers);
        Assert.Single(lost.OfType<Instruction.EndRun>());
    }

    [Fact]
    public void LeaseExpired_ReleasesTheRunsDatasets_ExceptThoseAnActiveRunUses_AndOnlyOnce()
    {
        var machine = NewMachine();
        var a = Node("a");
        a.Datasets.Add(new DatasetSpec { Name = "mine" });
        a.Datasets.Add(new DatasetSpec { Name = "shared" });
        var abandoned = Build("old", a);
        var b = Node("b");
        b.Datasets.Add(new DatasetSpec { Name = "shared" });
        machine.Handle(new SchedulerEvent.RunSubmitted(abandoned));
        machine.Handle(new SchedulerEvent.RunSubmitted(Build("new", b)));
        machine.Handle(new SchedulerEvent.RunCancelled(abandoned));

        var expired = machine.Handle(new SchedulerEvent.LeaseExpired(abandoned));

        Assert.Equal(["mine"], Assert.Single(expired.OfType<Instruction.Release>()).Datasets);
        Assert.Empty(machine.Handle(new SchedulerEvent.LeaseExpired(abandoned)));
    }

    // Events that would need an illegal transition: refused or ignored, and nothing changes.

    [Fact]
    public void Illegal_ACompletionFromAWorkerNotRunningTheNode_IsIgnored()
    {
        var machine = NewMachine();
        var worker = Join(machine, "w");
        var stranger = Join(machine, "x");
        var run = Build("r", Node("a"), Node("b", "a"));
        machine.Handle(new SchedulerEvent.RunSubmitted(run));
        var runningOn = run.Nodes["a"].Worker;
        var other = runningOn == worker ? stranger : worker;

        Assert.Empty(machine.Handle(new SchedulerEvent.CompletionReported(other, Completed(run, "a"))));
        Assert.Empty(machine.Handle(new SchedulerEvent.FailureReported(other, Failed(run, "a"))));
        Assert.Empty(machine.Handle(new SchedulerEvent.CompletionReported(runningOn!, Completed(run, "unknown"))));
        Assert.Empty(machine.Handle(new SchedulerEvent.RetryReported(other, new NodeRetrying { RunId = "r", Node = "a" })));
        Assert.Equal(NodeStatus.Running, run.Nodes["a"].Status);
        Assert.Equal(NodeStatus.Waiting, run.Nodes["b"].Status);
    }

    [Fact]
    public void Illegal_ASecondCompletionOfADoneNode_IsIgnored()
    {
        var machine = NewMachine();
        var worker = Join(machine, "w");
        var run = Build("r", Node("a"), Node("b"));
        machine.Handle(new SchedulerEvent.RunSubmitted(run));
        machine.Handle(new SchedulerEvent.CompletionReported(worker, Completed(run, "a")));

        var again = machine.Handle(new SchedulerEvent.CompletionReported(worker, Completed(run, "a")));

        Assert.Empty(again);
        Assert.Equal(NodeStatus.Done, run.Nodes["a"].Status);
        Assert.Equal(NodeStatus.Running, run.Nodes["b"].Status);
    }

    [Fact]
    public void Illegal_ARepeatedRunId_IsRefused_AndTheFirstRunIsUntouched()
    {
        var machine = NewMachine();
        var first = Build("r", Node("a"));
        machine.Handle(new SchedulerEvent.RunSubmitted(first));

        Assert.Throws<ArgumentException>(() => machine.Handle(new SchedulerEvent.RunSubmitted(Build("r", Node("a")))));

        Assert.Same(first, Assert.Single(machine.Runs));
        Assert.Equal(NodeStatus.Ready, first.Nodes["a"].Status);
    }

    [Fact]
    public void Illegal_CancellingAFinishedRun_DoesNothing_AndStartsNoLease()
    {
        var machine = NewMachine();
        var worker = Join(machine, "w");
        var run = Build("r", Node("a"));
        machine.Handle(new SchedulerEvent.RunSubmitted(run));
        machine.Handle(new SchedulerEvent.CompletionReported(worker, Completed(run, "a")));

        Assert.Empty(machine.Handle(new SchedulerEvent.RunCancelled(run)));
        Assert.Empty(machine.Handle(new SchedulerEvent.LeaseExpired(run)));
        Assert.Equal(NodeStatus.Done, run.Nodes["a"].Status);
    }

    [Fact]
    public void Illegal_ALostWorkerLostAgain_IsIgnored()
    {
        var machine = NewMachine();
        var worker = Join(machine, "w");
        var run = Build("r", Node("a"));
        machine.Handle(new SchedulerEvent.RunSubmitted(run));
        machine.Handle(new SchedulerEvent.WorkerLost(worker));

        Assert.Empty(machine.Handle(new SchedulerEvent.WorkerLost(worker)));
        Assert.Equal(["w"], run.Nodes["a"].DeadWorkers);
        Assert.Equal(NodeStatus.Ready, run.Nodes["a"].Status);
    }

    [Fact]
    public void EmptyRun_FinishesWhenSubmitted_AndIsNotAbandoned()
    {
        var machine = NewMachine();
        var run = Build("r");

        Assert.Single(machine.Handle(new SchedulerEvent.RunSubmitted(run)).OfType<Instruction.EndRun>());
        Assert.Empty(machine.Runs);
        Assert.Empty(machine.Handle(new SchedulerEvent.RunCancelled(run)));
    }
}
