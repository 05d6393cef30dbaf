namespace Ferry.Controller.Informers;

/// <summary>What happened to one object in an informer's cache.</summary>
public enum InformerEventType
{
    Added,
    Updated,
    Deleted,
}

/// <summary>A change to an informer's cache; <see cref="Old"/> is set for updates.</summary>
public sealed record InformerEvent<T>(InformerEventType Type, T Current, T? Old = null)
    where T : class;
