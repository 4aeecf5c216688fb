namespace NetBet.Core.Stream;

/// <summary>
/// A stream line that cannot be applied: not JSON, a field of the wrong type, an impossible price or size.
/// The message says what was wrong and where inside the line (a JSON path such as <c>$.mc[0].rc[1].atb[3]</c>);
/// the caller adds the file and line number.
/// </summary>
public sealed class StreamFormatException : FormatException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">What was wrong and where inside the line.</param>
    public StreamFormatException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception.</summary>
    public StreamFormatException()
    {
    }

    /// <summary>Creates the exception.</summary>
    /// <param name="message">What was wrong and where inside the line.</param>
    /// <param name="innerException">The underlying parse failure.</param>
    public StreamFormatException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
