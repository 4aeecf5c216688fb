namespace NetBet.Data;

/// <summary>
/// The database cannot be reached or started: PostgreSQL binaries missing, the private cluster failing to start,
/// or the server refusing connections. The message is one line fit for a user, and never contains a password.
/// </summary>
public sealed class DatabaseUnavailableException : Exception
{
    /// <summary>Creates the exception.</summary>
    public DatabaseUnavailableException()
    {
    }

    /// <summary>Creates the exception with a one-line message.</summary>
    public DatabaseUnavailableException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a one-line message and its cause.</summary>
    public DatabaseUnavailableException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
