using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Grpc.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using PipelineRunner.Distributed.Client;
using PipelineRunner.Distributed.Protocol;

namespace PipelineRunner.Hosting.Commands;

/// <summary>
/// <c>status</c>: a scheduler's connected workers (slots, busy, heartbeat age), runs in progress and store use, as a
/// table or <c>--json</c>; read-only. It needs no pipelines, and sends the access token and TLS settings the other
/// commands send (configuration <c>PipelineRunner:AccessToken</c>, <c>TrustedCertificate</c>, <c>ClientCertificate</c>).
/// </summary>
internal sealed class StatusCommand(CommandContext context)
{
    public async Task<int> ExecuteAsync(ParseResult parsed, CommandLineSchema schema, CancellationToken cancellationToken)
    {
        var services = context.Services;
        Uri scheduler;
        var security = new SchedulerClientSecurity();
        try
        {
            var options = HostOptions.Get(services);
            scheduler = options.SchedulerAddress
                ?? throw new ArgumentException("status needs a scheduler: --scheduler http://HOST:PORT (or configuration PipelineRunner:SchedulerAddress).");
            HostOptions.ApplySecurity(options, security);
        }
        catch (Exception ex) when (ex is ArgumentException or OptionsValidationException or IOException or System.Security.Cryptography.CryptographicException)
        {
            await context.Error.WriteLineAsync($"error: {ex.Message}").ConfigureAwait(false);
            return 2;
        }

        var logger = services.GetRequiredService<ILoggerFactory>().CreateLogger("PipelineRunner.Hosting.Status");
        using var channel = new SchedulerChannel(scheduler, ChannelTimeouts.Default, security, logger, TimeProvider.System);
        StatusResponse status;
        try
        {
            status = await channel.Client.StatusAsync(new StatusRequest(), cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        catch (RpcException ex) when (!cancellationToken.IsCancellationRequested)
        {
            var failure = await SchedulerFailure.ExplainAsync(ex, channel, CancellationToken.None).ConfigureAwait(false);
            await context.Error.WriteLineAsync(failure.Sentence(subject: null, connected: false)).ConfigureAwait(false);
            return 1;
        }

        await context.Output.WriteAsync(parsed.GetValue(schema.StatusJson) ? ToJson(scheduler, status) : ToText(scheduler, status)).ConfigureAwait(false);
        return 0;
    }

    internal static string ToText(Uri scheduler, StatusResponse status)
    {
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"Scheduler {scheduler}: {Count(status.Workers.Count, "worker")}, {Count(status.Runs.Count, "run")} in progress\n");
        if (status.Workers.Count > 0)
        {
            text.Append("\nWorkers\n");
            Table(text, ["WORKER", "SLOTS", "BUSY", "HEARD"], status.Workers.Select(w => new[]
            {
                w.Id + (w.Leaving ? " (leaving)" : string.Empty),
                N(w.Slots),
                N(w.Busy),
                w.HeartbeatAgeSeconds.ToString("0.0", CultureInfo.InvariantCulture) + " s ago",
            }));
        }

        if (status.Runs.Count > 0)
        {
            text.Append("\nRuns\n");
            Table(text, ["RUN", "STATUS", "DONE", "RUNNING", "READY", "WAITING", "FAILED"], status.Runs.Select(r => new[]
            {
                r.RunId,
                r.Status,
                $"{N(r.Done)}/{N(r.Nodes)} ({(r.Nodes == 0 ? 0 : 100.0 * r.Done / r.Nodes).ToString("0", CultureInfo.InvariantCulture)} %)",
                N(r.Running),
                N(r.Ready),
                N(r.Waiting),
                N(r.Failed),
            }));
        }

        var store = status.Store ?? new StoreStatus();
        text.Append(CultureInfo.InvariantCulture, $"\nStore: {Bytes(store.MemoryBytes)} in memory of {Bytes(store.LimitBytes)} before spilling")
            .Append(store.LimitBytes > 0 ? $" ({(100.0 * store.MemoryBytes / store.LimitBytes).ToString("0.#", CultureInfo.InvariantCulture)} %)" : string.Empty)
            .Append(CultureInfo.InvariantCulture, $", {Bytes(store.SpilledBytes)} spilled\n");
        return text.ToString();
    }

    internal static string ToJson(Uri scheduler, StatusResponse status)
    {
        using var stream = new MemoryStream();
        using (var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
        {
            json.WriteStartObject();
            json.WriteString("scheduler", scheduler.ToString());
            json.WriteStartArray("workers");
            foreach (var w in status.Workers)
            {
                json.WriteStartObject();
                json.WriteString("id", w.Id);
                json.WriteNumber("slots", w.Slots);
                json.WriteNumber("busy", w.Busy);
                json.WriteNumber("heartbeatAgeSeconds", w.HeartbeatAgeSeconds);
                json.WriteBoolean("leaving", w.Leaving);
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteStartArray("runs");
            foreach (var r in status.Runs)
            {
                json.WriteStartObject();
                json.WriteString("id", r.RunId);
                json.WriteString("status", r.Status);
                json.WriteNumber("nodes", r.Nodes);
                json.WriteNumber("done", r.Done);
                json.WriteNumber("running", r.Running);
                json.WriteNumber("ready", r.Ready);
                json.WriteNumber("waiting", r.Waiting);
                json.WriteNumber("failed", r.Failed);
                json.WriteNumber("cancelled", r.Cancelled);
                json.WriteEndObject();
            }

            json.WriteEndArray();
            var store = status.Store ?? new StoreStatus();
            json.WriteStartObject("store");
            json.WriteNumber("memoryBytes", store.MemoryBytes);
            json.WriteNumber("spilledBytes", store.SpilledBytes);
            json.WriteNumber("limitBytes", store.LimitBytes);
            json.WriteEndObject();
            json.WriteEndObject();
        }

        return Encoding.UTF8.GetString(stream.ToArray()) + "\n";
    }

    private static void Table(StringBuilder text, string[] header, IEnumerable<string[]> rows)
    {
        List<string[]> all = [header, .. rows];
        var widths = new int[header.Length];
        foreach (var row in all)
        {
            for (var c = 0; c < row.Length; c++)
            {
                widths[c] = Math.Max(widths[c], row[c].Length);
            }
        }

        foreach (var row in all)
        {
            text.Append(' ');
            for (var c = 0; c < row.Length; c++)
            {
                text.Append(' ').Append(c == row.Length - 1 ? row[c] : row[c].PadRight(widths[c] + 1));
            }

            text.Append('\n');
        }
    }

    private static string Count(int count, string noun) => N(count) + " " + noun + (count == 1 ? string.Empty : "s");

    private static string N(int value) => value.ToString(CultureInfo.InvariantCulture);

    private static string Bytes(long bytes) => bytes.ToString("N0", CultureInfo.InvariantCulture) + " bytes";
}
