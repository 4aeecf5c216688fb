using SharpCompress.Compressors;
using SharpCompress.Compressors.BZip2;

namespace NetBet.Ingest.Import;

/// <summary>
/// Chooses the bz2 decoder for imports. The machine's <c>bzip2 -dc</c> runs about 3x faster
/// than SharpCompress's managed decoder and in its own process, so decompression overlaps parsing on another core;
/// the managed decoder stays as the fallback when neither tool is there. <c>NETBET_BZIP2=managed</c> forces the
/// managed decoder, <c>NETBET_BZIP2=/path/to/bzip2</c> names the tool (<c>lbzip2</c> is accepted: about a quarter
/// less CPU, but on a damaged file it may exit before writing blocks it decoded ahead of the damage, so the lines
/// before the damage are not all imported; <c>bzip2</c> always writes them, so it is the default).
/// </summary>
internal static class Bzip2Decompression
{
    /// <summary>Environment variable choosing the decoder: <c>managed</c>, or a path to a bzip2 binary.</summary>
    public const string Variable = "NETBET_BZIP2";

    private static readonly Lazy<string?> DefaultTool = new(FindTool);

    /// <summary>The bzip2 (or lbzip2) binary used, or null when the managed decoder is used.</summary>
    public static string? Tool => DefaultTool.Value;

    /// <summary>
    /// Decompressed bytes of <paramref name="compressed"/> (concatenated bz2 streams included); the returned stream
    /// leaves <paramref name="compressed"/> open. A corrupt or truncated stream fails the read with
    /// <see cref="InvalidDataException"/> (tool) or SharpCompress's exception (managed).
    /// </summary>
    /// <param name="compressed">The compressed bytes.</param>
    /// <param name="file">The file on disk that is exactly <paramref name="compressed"/>, when it is one: the tool then reads it itself.</param>
    public static Stream Open(Stream compressed, string? file = null)
    {
        if (Tool is { } tool)
        {
            try
            {
                return new ExternalBzip2Stream(tool, compressed, file);
            }
            catch (System.ComponentModel.Win32Exception)
            {
                // Found but not runnable (permissions, wrong architecture): nothing has been read yet, decode here.
            }
        }

        return OpenManaged(compressed);
    }

    /// <summary>The in-process decoder, whatever the tool's availability.</summary>
    public static Stream OpenManaged(Stream compressed) =>
        BZip2Stream.Create(compressed, CompressionMode.Decompress, decompressConcatenated: true, leaveOpen: true, tolerateTruncatedStream: false);

    private static string? FindTool()
    {
        var configured = Environment.GetEnvironmentVariable(Variable);
        if (string.Equals(configured, "managed", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        if (!string.IsNullOrWhiteSpace(configured))
        {
            return File.Exists(configured) ? configured : null;
        }

        if (OperatingSystem.IsWindows())
        {
            return null;
        }

        var path = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries);
        return path.Select(directory => Path.Combine(directory, "bzip2")).FirstOrDefault(File.Exists);
    }
}
