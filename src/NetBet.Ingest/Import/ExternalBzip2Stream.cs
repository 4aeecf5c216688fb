using System.Diagnostics;

namespace NetBet.Ingest.Import;

/// <summary>
/// Decompresses through a <c>bzip2 -dc</c> (or <c>lbzip2 -n 1 -dc</c>) child process: a background task feeds the compressed bytes to its
/// standard input (the source may be a tar entry or another decompressor, so the tool cannot open it by name), and
/// reads return its standard output. At the end of the output the tool's exit status is checked, so a corrupt or
/// truncated file fails the last read with the tool's own message instead of ending early without a word.
/// </summary>
internal sealed class ExternalBzip2Stream : ForwardOnlyStream
{
    private readonly string _name;
    private readonly Process _process;
    private readonly Stream _output;
    private readonly Task _feed;
    private readonly Task<string> _stderr;
    private bool _finished;
    private bool _disposed;

    /// <param name="tool">The bzip2 binary.</param>
    /// <param name="compressed">The compressed bytes, fed to the tool's standard input when <paramref name="file"/> is null.</param>
    /// <param name="file">The file holding exactly those bytes, opened by the tool itself (one copy fewer).</param>
    public ExternalBzip2Stream(string tool, Stream compressed, string? file = null)
    {
        var start = new ProcessStartInfo(tool)
        {
            RedirectStandardInput = file is null,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (Path.GetFileName(tool) == "lbzip2")
        {
            // One decoding thread: the import already decodes a file per lane, each lane's tool on a core.
            start.ArgumentList.Add("-n");
            start.ArgumentList.Add("1");
        }

        start.ArgumentList.Add("-dc");
        if (file is not null)
        {
            start.ArgumentList.Add("--");
            start.ArgumentList.Add(file);
        }

        _name = Path.GetFileName(tool);
        _process = Process.Start(start) ?? throw new IOException($"cannot start {tool}");
        _output = _process.StandardOutput.BaseStream;
        _stderr = _process.StandardError.ReadToEndAsync();
        _feed = file is null ? Task.Run(() => FeedAsync(compressed, _process.StandardInput.BaseStream)) : Task.CompletedTask;
    }

    // Source failures propagate (the last read reports them); a write failure means the tool stopped reading
    // (bad data, or disposed early) and its exit status tells why.
    private static async Task FeedAsync(Stream source, Stream input)
    {
        var buffer = new byte[1 << 16];
        try
        {
            int read;
            while ((read = await source.ReadAsync(buffer)) > 0)
            {
                try
                {
                    await input.WriteAsync(buffer.AsMemory(0, read));
                }
                catch (IOException)
                {
                    return;
                }
            }
        }
        finally
        {
            try
            {
                await input.DisposeAsync();
            }
            catch (IOException)
            {
                // Broken pipe on close after the tool exited: nothing left to tell it.
            }
        }
    }

    public override int Read(Span<byte> buffer)
    {
        if (_finished || buffer.IsEmpty)
        {
            return 0;
        }

        var read = _output.Read(buffer);
        if (read == 0)
        {
            FinishAsync().AsTask().GetAwaiter().GetResult();
        }

        return read;
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (_finished || buffer.IsEmpty)
        {
            return 0;
        }

        var read = await _output.ReadAsync(buffer, cancellationToken);
        if (read == 0)
        {
            await FinishAsync();
        }

        return read;
    }

    // The end of the output: a read error of the compressed source, or the tool's failure, is the reader's error.
    private async ValueTask FinishAsync()
    {
        _finished = true;
        await _feed;
        await _process.WaitForExitAsync();
        if (_process.ExitCode != 0)
        {
            var message = (await _stderr).Trim();
            throw new InvalidDataException($"{_name} exit {_process.ExitCode}: {(message.Length == 0 ? "failed" : message)}");
        }
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing && !_disposed)
        {
            _disposed = true;
            try
            {
                if (!_process.HasExited)
                {
                    _process.Kill();
                }

                _process.WaitForExit();
            }
            catch (InvalidOperationException)
            {
                // Already gone.
            }

            // The feeder may still be reading the source; it must stop before the caller moves the source on.
            try
            {
                _feed.GetAwaiter().GetResult();
            }
            catch (Exception e) when (e is IOException or InvalidDataException or ObjectDisposedException)
            {
                // The source's own failure was reported by a read already, or nobody read that far.
            }

            _output.Dispose();
            _process.Dispose();
        }

        base.Dispose(disposing);
    }
}
