using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using OpenTelemetry.Resources;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace PipelineRunner.Hosting;

/// <summary>
/// Exports PipelineRunner's spans and metrics as the OpenTelemetry environment variables say, so an operator turns
/// telemetry on for any app built on the host (the <c>pipeline-runner</c> scheduler too) without code:
/// <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> sends both over OTLP; <c>OTEL_TRACES_EXPORTER</c> and
/// <c>OTEL_METRICS_EXPORTER</c> choose <c>otlp</c>, <c>console</c> or <c>none</c> each. With none of them set nothing is
/// registered, and a signal the app set up itself (its own <c>AddOpenTelemetry().WithTracing(...)</c> or
/// <c>WithMetrics(...)</c>) is left to the app, so nothing is exported twice. <c>OTEL_SERVICE_NAME</c> and the
/// exporter's own variables are read by the SDK.
/// </summary>
internal static class TelemetryFromEnvironment
{
    public static void AddTo(IServiceCollection services, Func<string, string?> environment)
    {
        var otlp = !string.IsNullOrWhiteSpace(environment("OTEL_EXPORTER_OTLP_ENDPOINT"));
        List<string> problems = [];
        var traces = Exporter(environment("OTEL_TRACES_EXPORTER"), otlp, "OTEL_TRACES_EXPORTER", problems);
        var metrics = Exporter(environment("OTEL_METRICS_EXPORTER"), otlp, "OTEL_METRICS_EXPORTER", problems);
        if (problems.Count > 0)
        {
            // Reported as the host's settings are: by the command that reads them, one line, exit code 2.
            services.AddSingleton<IValidateOptions<PipelineRunnerHostOptions>>(new Refusal(problems));
        }

        // The app's own providers win: the environment then only points their exporters somewhere.
        if (services.Any(d => d.ServiceType == typeof(TracerProvider)))
        {
            traces = "none";
        }

        if (services.Any(d => d.ServiceType == typeof(MeterProvider)))
        {
            metrics = "none";
        }

        if (traces == "none" && metrics == "none")
        {
            return;
        }

        var telemetry = services.AddOpenTelemetry();
        if (string.IsNullOrWhiteSpace(environment("OTEL_SERVICE_NAME")) && System.Reflection.Assembly.GetEntryAssembly()?.GetName().Name is { } app)
        {
            telemetry.ConfigureResource(resource => resource.AddService(app)); // the app's name rather than unknown_service
        }

        if (traces != "none")
        {
            telemetry.WithTracing(tracing =>
            {
                tracing.AddPipelineRunnerInstrumentation();
                _ = traces == "console" ? tracing.AddConsoleExporter() : tracing.AddOtlpExporter();
            });
        }

        if (metrics != "none")
        {
            telemetry.WithMetrics(meters =>
            {
                meters.AddPipelineRunnerInstrumentation();
                _ = metrics == "console" ? meters.AddConsoleExporter() : meters.AddOtlpExporter();
            });
        }
    }

    /// <summary>The exporter a variable names: its value, else OTLP when an OTLP endpoint is set, else none.</summary>
    private static string Exporter(string? value, bool otlpEndpoint, string variable, List<string> problems)
    {
        var name = string.IsNullOrWhiteSpace(value) ? (otlpEndpoint ? "otlp" : "none") : value.Trim().ToLowerInvariant();
        if (name is "otlp" or "console" or "none")
        {
            return name;
        }

        problems.Add($"{variable}='{value}' is not an exporter this app has; use otlp, console or none.");
        return "none";
    }

    /// <summary>Fails the host's settings with the telemetry variables' problems.</summary>
    private sealed class Refusal(IReadOnlyList<string> problems) : IValidateOptions<PipelineRunnerHostOptions>
    {
        public ValidateOptionsResult Validate(string? name, PipelineRunnerHostOptions options) => ValidateOptionsResult.Fail(problems);
    }
}
