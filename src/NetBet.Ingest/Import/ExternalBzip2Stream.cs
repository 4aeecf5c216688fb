using System.Buffers;
using System.Diagnostics;
using System.Threading.Channels;

namespace NetBet.Ingest.Import;

/// <summary>
/// Decompresses through a <c>bzip2 -dc</c> child process: a background task feeds the compressed bytes to its
/// standard input (the source may be a tar entry or another decompressor, so the tool cannot open it by name), and
/// reads return its standard output. At the end of the output the tool's exit status is checked, so a corrupt or
/// truncated file fails the last read with the tool's own message instead of ending early without a word.
/// The output is read ahead into a bounded queue (<see cref="AheadChunks"/> x <see cref="ChunkBytes"/>), so the
/// tool keeps decoding on its core while the importer waits on a database write, instead of stalling on a full pipe.
/// </summary>
internal sealed class ExternalBzip2Stream : ForwardOnlyStream
{
    // A pipe read returns at most the pipe's 64 KB; 64 of them keep 4 MB decoded ahead.
    private const int ChunkBytes = 64 << 10;
    private const int AheadChunks = 64;

    private readonly Process _process;
    private readonly Stream _output;
    private readonly Task _feed;
    private readonly Task _readAhead;
    private readonly Task<string> _stderr;
    private readonly Channel<(byte[] Buffer, int Length)> _chunks =
        Channel.CreateBounded<(byte[] Buffer, int Length)>(new BoundedChannelOptions(AheadChunks) { SingleReader = true, SingleWriter = true });

    private readonly CancellationTokenSource _stop = new();
    private byte[] _chunk = [];
    private int _chunkStart;
    private int _chunkEnd;
    private bool _finished;
    private bool _disposed;

    public ExternalBzip2Stream(string tool, Stream compressed)
    {
        var start = new ProcessStartInfo(tool)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add("-dc");
        _process = Process.Start(start) ?? throw new IOException($"cannot start {tool}");
        _output = _process.StandardOutput.BaseStream;
        _stderr = _process.StandardError.ReadToEndAsync();
        _feed = Task.Run(() => FeedAsync(compressed, _process.StandardInput.BaseStream));
        _readAhead = Task.Run(ReadAheadAsync);
    }

    private async Task ReadAheadAsync()
    {
        try
        {
            while (true)
            {
                var buffer = ArrayPool<byte>.Shared.Rent(ChunkBytes);
                var read = await _output.ReadAsync(buffer.AsMemory(0, ChunkBytes), _stop.Token);
                if (read == 0)
                {
                    ArrayPool<byte>.Shared.Return(buffer);
                    break;
                }

                await _chunks.Writer.WriteAsync((buffer, read), _stop.Token);
            }

            _chunks.Writer.TryComplete();
        }
        catch (Exception e)
        {
            _chunks.Writer.TryComplete(e);
        }
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
        if (_chunkStart == _chunkEnd && !NextChunkAsync().AsTask().GetAwaiter().GetResult())
        {
            return 0;
        }

        return Copy(buffer);
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (_chunkStart == _chunkEnd && !await NextChunkAsync(cancellationToken))
        {
            return 0;
        }

        return Copy(buffer.Span);
    }

    private int Copy(Span<byte> buffer)
    {
        var n = Math.Min(buffer.Length, _chunkEnd - _chunkStart);
        _chunk.AsSpan(_chunkStart, n).CopyTo(buffer);
        _chunkStart += n;
        return n;
    }

    private async ValueTask<bool> NextChunkAsync(CancellationToken cancellationToken = default)
    {
        if (_finished)
        {
            return false;
        }

        if (_chunk.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(_chunk);
            _chunk = [];
        }

        if (await _chunks.Reader.WaitToReadAsync(cancellationToken) && _chunks.Reader.TryRead(out var chunk))
        {
            (_chunk, _chunkStart, _chunkEnd) = (chunk.Buffer, 0, chunk.Length);
            return true;
        }

        await FinishAsync();
        return false;
    }

    // The end of the output: a read error of the compressed source, or the tool's failure, is the reader's error.
    private async ValueTask FinishAsync()
    {
        _finished = true;
        await _feed;
        await _readAhead;
        await _process.WaitForExitAsync();
        if (_process.ExitCode != 0)
        {
            var message = (await _stderr).Trim();
            throw new InvalidDataException($"bzip2 exit {_process.ExitCode}: {(message.Length == 0 ? "failed" : message)}");
        }
    }


    protected override void Dispose(bool disposing)
    {
        if (disposing && !_disposed)
        {
            _disposed = true;
            _stop.Cancel();
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

            _readAhead.GetAwaiter().GetResult();
            _output.Dispose();
            _process.Dispose();
            _stop.Dispose();
        }

        base.Dispose(disposing);
    }
}
