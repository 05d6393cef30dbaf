namespace Ferry.ApiServer.Admission;

/// <summary>The <c>field.ErrorType</c> names kube-apiserver puts in <c>Status.details.causes[].reason</c>.</summary>
public static class FieldErrorType
{
    public const string Required = "FieldValueRequired";
    public const string Invalid = "FieldValueInvalid";
    public const string NotSupported = "FieldValueNotSupported";
    public const string Duplicate = "FieldValueDuplicate";
    public const string Forbidden = "FieldValueForbidden";
    public const string TooLong = "FieldValueTooLong";
    public const string TooMany = "FieldValueTooMany";

    /// <summary>The value's JSON type does not match the schema (custom resources); printed as <c>Invalid value</c>.</summary>
    public const string TypeInvalid = "FieldValueTypeInvalid";

    /// <summary>
    /// Not a validation failure but a server-side allocation failure (e.g. <c>range is full</c>); kube-apiserver
    /// answers these with <c>500 InternalError</c>, message <c>Internal error occurred: &lt;Message&gt;</c>.
    /// </summary>
    public const string InternalError = "InternalError";
}
