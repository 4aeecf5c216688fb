namespace NetBet.Cli;

/// <summary>Process exit codes of every <c>netbet</c> command.</summary>
internal static class ExitCodes
{
    /// <summary>Everything worked.</summary>
    public const int Success = 0;

    /// <summary>The command ran but found a problem it reports (rows with errors, drift, nothing stored).</summary>
    public const int Failed = 1;

    /// <summary>Bad input or arguments (parse errors included): what and where were written to stderr.</summary>
    public const int InvalidInput = 2;

    /// <summary>The database or another required service could not be reached, or a statement timed out.</summary>
    public const int Unavailable = 3;

    /// <summary>Betfair refused the credentials, the application key or the subscription for good (login refused, NOT_AUTHORIZED, INVALID_APP_KEY, limits); retrying would risk locking the account.</summary>
    public const int CredentialsRefused = 4;

    /// <summary>An unexpected error (a bug): the exception was written to stderr.</summary>
    public const int Unexpected = 70;

    /// <summary>Interrupted by Ctrl-C before finishing (128 + SIGINT).</summary>
    public const int Interrupted = 130;
}
