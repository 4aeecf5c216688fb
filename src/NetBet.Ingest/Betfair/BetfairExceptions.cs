namespace NetBet.Ingest.Betfair;

/// <summary>Betfair answered with an APINGException (or a failed login); <see cref="ErrorCode"/> says which.</summary>
public sealed class BetfairApiException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="operation">The operation, such as <c>listMarketBook</c>.</param>
    /// <param name="errorCode">Betfair's error code, such as <c>TOO_MUCH_DATA</c>.</param>
    /// <param name="details">Betfair's <c>errorDetails</c>, when any.</param>
    public BetfairApiException(string operation, string errorCode, string? details = null)
        : base($"{operation} failed: {errorCode}{(string.IsNullOrEmpty(details) ? "" : $" ({details})")}")
    {
        Operation = operation;
        ErrorCode = errorCode;
    }

    /// <summary>The operation that failed.</summary>
    public string Operation { get; }

    /// <summary>Betfair's error code.</summary>
    public string ErrorCode { get; }

    /// <summary>True for the session errors that a fresh login fixes.</summary>
    public bool IsSessionError => ErrorCode is "INVALID_SESSION_INFORMATION" or "NO_SESSION";

    /// <summary>
    /// True when Betfair refused the account or the application key for good (<c>INVALID_USERNAME_OR_PASSWORD</c>,
    /// <c>ACCOUNT_NOW_LOCKED</c>, <c>CERT_AUTH_REQUIRED</c>, <c>INVALID_APP_KEY</c>, ...): trying again cannot help
    /// and repeated failed logins get an account locked. Every login refusal counts except the few that say Betfair
    /// is busy.
    /// </summary>
    public bool IsCredentialsRefused => Operation is "login" or "certlogin"
        ? !TransientLoginErrors.Contains(ErrorCode)
        : ErrorCode is "INVALID_APP_KEY" or "NO_APP_KEY";

    private static readonly HashSet<string> TransientLoginErrors =
        ["TEMPORARY_BAN_TOO_MANY_REQUESTS", "UNEXPECTED_ERROR", "SERVICE_BUSY", "TIMEOUT_ERROR", "TOO_MANY_REQUESTS"];
}

/// <summary>
/// Betfair could not be reached or kept failing (network errors, timeouts, 5xx) after every retry, or answered
/// with something that is not the documented JSON.
/// </summary>
public sealed class BetfairUnavailableException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">What failed, without secrets.</param>
    /// <param name="innerException">The last underlying failure, when any.</param>
    public BetfairUnavailableException(string message, Exception? innerException = null)
        : base(message, innerException)
    {
    }
}
