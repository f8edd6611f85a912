namespace PipelineRunner.Hosting.Commands;

/// <summary>What a command runs with: the app's services and where to print.</summary>
internal sealed record CommandContext(IServiceProvider Services, TextWriter Output, TextWriter Error);
