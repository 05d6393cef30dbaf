using Ferry.DataPlane.Health;

namespace Ferry.DataPlane.State;

/// <summary>What applying a spec did: a summary for the log, monitors to dispose, listeners left to drain.</summary>
internal sealed record ApplyResult(string Changes, IReadOnlyList<IHealthMonitor> ReplacedMonitors, IReadOnlyList<ListenerState> RetiredListeners);
