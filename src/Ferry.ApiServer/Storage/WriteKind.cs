namespace Ferry.ApiServer.Storage;

/// <summary>Whether a pending write stores or removes an object.</summary>
internal enum WriteKind
{
    Put,
    Delete,
}
