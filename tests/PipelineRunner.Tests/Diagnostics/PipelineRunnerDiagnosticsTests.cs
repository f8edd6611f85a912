using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using PipelineRunner.Catalog;
using PipelineRunner.Diagnostics;
using PipelineRunner.Pipelines;
using PipelineRunner.Runners;

namespace PipelineRunner.Tests.Diagnostics;

public class PipelineRunnerDiagnosticsTests
{
    [Fact]
    public void Names_AreThePackageName()
    {
        Assert.Equal("PipelineRunner", PipelineRunnerDiagnostics.ActivitySourceName);
        Assert.Equal("PipelineRunner", PipelineRunnerDiagnostics.MeterName);
    }

    [Fact]
    public async Task ListenersSubscribedByName_SeeTheRunAndNodeSpans_AndTheNodeMeasurements()
    {
        // Other tests run at the same time: only this test's uniquely named node is looked at.
        var nodeName = "diagnostics_" + Guid.NewGuid().ToString("N");
        var spans = new ConcurrentQueue<Activity>();
        using var activityListener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == PipelineRunnerDiagnostics.ActivitySourceName,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = spans.Enqueue,
        };
        ActivitySource.AddActivityListener(activityListener);

        var instruments = new ConcurrentDictionary<string, int>();
        using var meterListener = new MeterListener
        {
            InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter.Name == PipelineRunnerDiagnostics.MeterName)
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            },
        };
        meterListener.SetMeasurementEventCallback<long>((instrument, _, _, _) => instruments.AddOrUpdate(instrument.Name, 1, (_, n) => n + 1));
        meterListener.SetMeasurementEventCallback<double>((instrument, _, _, _) => instruments.AddOrUpdate(instrument.Name, 1, (_, n) => n + 1));
        meterListener.Start();

        var catalog = new DataCatalog();
        catalog.AddValues([new("a", 1)]);
        await new SequentialRunner().RunAsync(new Pipeline([Node.Create((int a) => a + 1, "a", "b", name: nodeName)]), catalog);

        var nodeSpan = Assert.Single(spans, s => s.OperationName == "node.run" && (string?)s.GetTagItem("pipelinerunner.node") == nodeName);
        Assert.Equal(PipelineRunnerDiagnostics.ActivitySourceName, nodeSpan.Source.Name);
        var runSpan = spans.Single(s => s.OperationName == "pipeline.run" && s.SpanId == nodeSpan.ParentSpanId);
        Assert.Equal(1, runSpan.GetTagItem("pipelinerunner.nodes"));
        Assert.True(instruments.ContainsKey("pipelinerunner.nodes.completed"));
        Assert.True(instruments.ContainsKey("pipelinerunner.node.duration"));
    }
}
