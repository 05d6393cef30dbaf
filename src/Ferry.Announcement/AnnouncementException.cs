namespace Ferry.Announcement;

/// <summary>An announcement failure with a message meant for the operator (for example a missing capability).</summary>
public class AnnouncementException : Exception
{
    public AnnouncementException()
    {
    }

    public AnnouncementException(string message)
        : base(message)
    {
    }

    public AnnouncementException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
