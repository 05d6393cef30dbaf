using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Ferry.Hosting.Tests;

/// <summary>A real logger provider that keeps every line (level, category, event id, message) for the test to read.</summary>
internal sealed class CollectedLogs : ILoggerProvider
{
    private readonly ConcurrentQueue<LogLine> _lines = new();

    public IReadOnlyList<LogLine> Lines => [.. _lines];

    public ILoggerFactory CreateFactory() => LoggerFactory.Create(builder => builder.SetMinimumLevel(LogLevel.Debug).AddProvider(this));

    public ILogger CreateLogger(string categoryName) => new Collector(categoryName, _lines);

    public void Dispose()
    {
    }

    public sealed record LogLine(LogLevel Level, string Category, int EventId, string Message)
    {
        public override string ToString() => $"{Level} {Category}[{EventId}] {Message}";
    }

    private sealed class Collector(string category, ConcurrentQueue<LogLine> lines) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            lines.Enqueue(new LogLine(logLevel, category, eventId.Id, formatter(state, exception)));
    }
}
