namespace Ferry.ApiServer.CustomResources.Schema;

/// <summary>
/// kube-openapi's <c>validate.Result</c> (pkg/validation/validate/result.go): errors in order, an error whose message
/// is already there is dropped, and <see cref="MatchCount"/> counts passed checks (it picks which failing
/// <c>anyOf</c>/<c>oneOf</c> branch is reported). Not thread-safe; one per validation step.
/// </summary>
internal sealed class ValidationResult
{
    private readonly List<OpenApiError> _errors = [];
    private readonly HashSet<string> _messages = new(StringComparer.Ordinal);

    public IReadOnlyList<OpenApiError> Errors => _errors;

    public int MatchCount { get; private set; }

    public bool IsValid => _errors.Count == 0;

    public static ValidationResult Of(OpenApiError error)
    {
        var result = new ValidationResult();
        result.Add(error);
        return result;
    }

    public void Add(OpenApiError? error)
    {
        if (error is not null && _messages.Add(error.Message))
        {
            _errors.Add(error);
        }
    }

    public ValidationResult Merge(ValidationResult? other)
    {
        if (other is not null)
        {
            foreach (var error in other._errors)
            {
                Add(error);
            }

            MatchCount += other.MatchCount;
        }

        return this;
    }

    public void Inc() => MatchCount++;
}
