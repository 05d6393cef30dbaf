namespace Ferry.ApiServer.Storage;

/// <summary>The watch event types of the Kubernetes watch protocol.</summary>
internal enum WatchEventType
{
    Added,
    Modified,
    Deleted,
    Bookmark,
}
