using Npgsql;

namespace NetBet.Data;

/// <summary>A table or column the code needs is missing: the database has not been migrated (<c>netbet migrate</c>).</summary>
public sealed class SchemaNotReadyException : Exception
{
    /// <summary>Creates the exception.</summary>
    public SchemaNotReadyException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public SchemaNotReadyException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and a cause.</summary>
    public SchemaNotReadyException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Whether <paramref name="e"/> means a missing table or column.</summary>
    public static bool IsMissingObject(PostgresException e) =>
        e.SqlState is PostgresErrorCodes.UndefinedTable or PostgresErrorCodes.UndefinedColumn;

    /// <summary>The exception for a missing table or column reported by PostgreSQL.</summary>
    public static SchemaNotReadyException From(PostgresException e) =>
        new($"the database schema is not up to date ({e.MessageText}): run 'netbet migrate'", e);
}
