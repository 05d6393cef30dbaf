using System.CommandLine;
using Microsoft.Extensions.Logging;

namespace Ferry.Cli.Commands;

/// <summary>The commands' shared <c>--log-level</c> option and single-line console logging to stderr.</summary>
internal static class ConsoleLogging
{
    private static readonly Dictionary<string, LogLevel> _levels = new(StringComparer.OrdinalIgnoreCase)
    {
        ["trace"] = LogLevel.Trace,
        ["debug"] = LogLevel.Debug,
        ["info"] = LogLevel.Information,
        ["information"] = LogLevel.Information,
        ["warn"] = LogLevel.Warning,
        ["warning"] = LogLevel.Warning,
        ["error"] = LogLevel.Error,
        ["critical"] = LogLevel.Critical,
        ["none"] = LogLevel.None,
    };

    public static Option<string> CreateLevelOption()
    {
        var option = new Option<string>("--log-level")
        {
            Description = "The least severe log messages to print.",
            DefaultValueFactory = _ => "info",
        };
        option.AcceptOnlyFromAmong([.. _levels.Keys]);
        return option;
    }

    public static LogLevel Parse(string level) => _levels[level];

    /// <remarks>ASP.NET Core's per-request and lifetime messages (the embedded API server) show from Warning up, unless asked for with debug or trace.</remarks>
    public static ILoggerFactory Create(LogLevel level) => LoggerFactory.Create(builder => builder
        .SetMinimumLevel(level)
        .AddFilter("Microsoft", level <= LogLevel.Debug ? level : LogLevel.Warning)
        .AddSimpleConsole(options =>
        {
            options.SingleLine = true;
            options.UseUtcTimestamp = true;
            options.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ ";
        })
        .AddConsole(options => options.LogToStandardErrorThreshold = LogLevel.Trace));
}
