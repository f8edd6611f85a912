using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using PipelineRunner.Catalog;

namespace PipelineRunner.Tests;

/// <summary>A logger that keeps formatted messages.</summary>
internal sealed class ListLogger<T> : ILogger<T>
{
    public ConcurrentQueue<(LogLevel Level, string Message)> Entries { get; } = new();

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
        Entries.Enqueue((logLevel, formatter(state, exception)));

    public IReadOnlyList<string> Messages => Entries.Select(e => e.Message).ToList();
}

/// <summary>A non-ephemeral dataset (like a file) that records what happens to it.</summary>
internal sealed class RecordingDataset : IDataset
{
    private readonly ConcurrentQueue<string> _events;
    private readonly string _name;
    private object? _value;
    private bool _has;

    public RecordingDataset(string name, ConcurrentQueue<string> events, bool ephemeral = false, object? initial = null, bool hasInitial = false)
    {
        _name = name;
        _events = events;
        IsEphemeral = ephemeral;
        _value = initial;
        _has = hasInitial;
    }

    public bool IsEphemeral { get; }

    public int Saves { get; private set; }

    public object? Value => _value;

    public ValueTask<object?> LoadAsync(Type requestedType, CancellationToken cancellationToken = default)
    {
        _events.Enqueue("load:" + _name);
        return _has ? ValueTask.FromResult(_value) : throw new InvalidOperationException($"{_name} is empty");
    }

    public ValueTask SaveAsync(object? data, CancellationToken cancellationToken = default)
    {
        _events.Enqueue("save:" + _name);
        _value = data;
        _has = true;
        Saves++;
        return default;
    }

    public ValueTask<bool> ExistsAsync(CancellationToken cancellationToken = default) => ValueTask.FromResult(_has);

    public ValueTask ReleaseAsync(CancellationToken cancellationToken = default)
    {
        _events.Enqueue("release:" + _name);
        if (IsEphemeral)
        {
            _has = false;
            _value = null;
        }

        return default;
    }

    public IReadOnlyDictionary<string, object?> Describe() => new Dictionary<string, object?> { ["type"] = nameof(RecordingDataset) };
}
