namespace Ferry.Hosting.Admin;

/// <summary>What <c>/readyz</c> answers: ready (200) or not (503), with a one-line reason either way.</summary>
public readonly record struct AdminReadiness(bool IsReady, string Message)
{
    public static AdminReadiness Ready(string message = "ok") => new(true, message);

    public static AdminReadiness NotReady(string reason) => new(false, reason);
}
