namespace NetBet.Ingest.Import;

/// <summary>
/// Splits a stream into lines (LF or CRLF) over one reused buffer, so memory stays bounded by the longest line,
/// not the file. A line longer than <see cref="MaxLineBytes"/> is cut and reported rather than buffered forever.
/// </summary>
internal sealed class LineReader(Stream stream)
{
    /// <summary>The longest line kept whole; Betfair's largest images are a few MB.</summary>
    public const int MaxLineBytes = 64 << 20;

    private byte[] _buffer = new byte[1 << 20];
    private int _start;
    private int _end;
    private bool _eof;
    private bool _skippingLongLine;
    private int _currentStart;
    private int _currentLength;

    /// <summary>1-based number of the line last returned.</summary>
    public long LineNumber { get; private set; }

    /// <summary>
    /// The next line, or false at the end of the stream. <paramref name="tooLong"/> is true when the line was
    /// longer than <see cref="MaxLineBytes"/> (its content is then not returned).
    /// </summary>
    public async ValueTask<(bool Found, bool TooLong)> MoveNextAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            var newline = _buffer.AsSpan(_start, _end - _start).IndexOf((byte)'\n');
            if (newline >= 0)
            {
                _currentStart = _start;
                _currentLength = newline;
                _start += newline + 1;
                LineNumber++;
                if (_skippingLongLine)
                {
                    _skippingLongLine = false;
                    return (true, true);
                }

                return (true, false);
            }

            if (_eof)
            {
                if (_end > _start || _skippingLongLine)
                {
                    _currentStart = _start;
                    _currentLength = _end - _start;
                    _start = _end;
                    LineNumber++;
                    var tooLong = _skippingLongLine;
                    _skippingLongLine = false;
                    return (true, tooLong);
                }

                return (false, false);
            }

            await FillAsync(cancellationToken);
        }
    }

    /// <summary>The line found by the last <see cref="MoveNextAsync"/>, without its terminator.</summary>
    public ReadOnlySpan<byte> Current
    {
        get
        {
            var line = _buffer.AsSpan(_currentStart, _currentLength);
            return line.Length > 0 && line[^1] == (byte)'\r' ? line[..^1] : line;
        }
    }

    private ValueTask FillAsync(CancellationToken cancellationToken)
    {
        if (_start > 0)
        {
            _buffer.AsSpan(_start, _end - _start).CopyTo(_buffer);
            _end -= _start;
            _start = 0;
        }

        if (_end == _buffer.Length)
        {
            if (_buffer.Length >= MaxLineBytes)
            {
                // Drop what we have of the overlong line and keep reading until its end.
                _skippingLongLine = true;
                _end = 0;
            }
            else
            {
                Array.Resize(ref _buffer, _buffer.Length * 2);
            }
        }

        // A plain blocking read: the import reads on its own lanes, and every source it has (a file, a bzip2 pipe, a
        // decompressor, a tar entry) only blocks until bytes come; an asynchronous read of a pipe on Linux is the same
        // blocking read moved to another pool thread and back, once per 64 KB.
        cancellationToken.ThrowIfCancellationRequested();
        var read = stream.Read(_buffer.AsSpan(_end));
        if (read == 0)
        {
            _eof = true;
        }

        _end += read;
        return ValueTask.CompletedTask;
    }
}
