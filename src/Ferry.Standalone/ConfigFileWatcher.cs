namespace Ferry.Standalone;

/// <summary>
/// Calls back when the config file may have changed. Watches the file's directory rather than the file,
/// because editors and tools replace files: vim and <c>sed -i</c> write a new file and rename it over the
/// old one, and a Kubernetes ConfigMap volume swaps a <c>..data</c> symlink. A spurious call is harmless:
/// the balancer compares the content before doing anything.
/// </summary>
internal sealed class ConfigFileWatcher : IDisposable
{
    private readonly FileSystemWatcher _watcher;
    private readonly string _fileName;
    private readonly Action _changed;
    private readonly Action<Exception> _failed;

    public ConfigFileWatcher(string path, Action changed, Action<Exception> failed)
    {
        var fullPath = Path.GetFullPath(path);
        _fileName = Path.GetFileName(fullPath);
        _changed = changed;
        _failed = failed;
        _watcher = new FileSystemWatcher(Path.GetDirectoryName(fullPath)!)
        {
            NotifyFilter = NotifyFilters.FileName | NotifyFilters.DirectoryName | NotifyFilters.LastWrite | NotifyFilters.Size | NotifyFilters.CreationTime,
            IncludeSubdirectories = false,
        };
        _watcher.Changed += OnChanged;
        _watcher.Created += OnChanged;
        _watcher.Deleted += OnChanged;
        _watcher.Renamed += OnRenamed;
        _watcher.Error += OnError;
        _watcher.EnableRaisingEvents = true;
    }

    public void Dispose() => _watcher.Dispose();

    private bool Concerns(string? name) =>
        name is not null && (string.Equals(name, _fileName, StringComparison.Ordinal) || name.StartsWith("..", StringComparison.Ordinal));

    private void OnChanged(object sender, FileSystemEventArgs e)
    {
        if (Concerns(e.Name))
        {
            _changed();
        }
    }

    private void OnRenamed(object sender, RenamedEventArgs e)
    {
        if (Concerns(e.Name) || Concerns(e.OldName))
        {
            _changed();
        }
    }

    /// <summary>Events were lost (the kernel queue overflowed): report it and reload to be safe.</summary>
    private void OnError(object sender, ErrorEventArgs e)
    {
        _failed(e.GetException());
        _changed();
    }
}
