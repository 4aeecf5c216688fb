using System.Formats.Tar;
using System.IO.Compression;

namespace NetBet.Ingest.Import;

/// <summary>
/// One stream file to import: a name for messages (<c>archive.tar/inner/file.bz2</c>) and its decompressed
/// bytes, or the reason it cannot be imported (compression or format not supported).
/// </summary>
internal sealed record StreamInput(string Name, Stream? Content, string? Problem = null);

/// <summary>
/// Turns the PATH arguments into stream files: plain JSON lines, <c>.gz</c>, <c>.bz2</c>, a folder of them
/// (recursively, in name order) or a <c>.tar</c> of them (also <c>.tar.gz</c>/<c>.tar.bz2</c>). The kind is
/// told by the content (magic bytes), not the name, because official Betfair files and self-recorded captures
/// are often named by market id with no extension.
/// </summary>
internal static class StreamInputs
{
    private const int SniffLength = 512;

    // file.tar.bz2 holding .bz2 files is three layers; anything deeper is not a Betfair download.
    private const int MaxNesting = 4;

    /// <summary>The problem with a PATH argument, or null when it names a file or folder.</summary>
    public static string? CheckPath(string path) =>
        File.Exists(path) || Directory.Exists(path) ? null : $"{path}: no such file or folder";

    /// <summary>The files under <paramref name="path"/> (the path itself when it is a file), in a stable order.</summary>
    public static IEnumerable<string> ExpandPath(string path) =>
        Directory.Exists(path)
            ? Directory.EnumerateFiles(path, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal)
            : [path];

    /// <summary>Why the file at <paramref name="path"/> cannot be imported (its outer format only), or null.</summary>
    public static string? Probe(string path)
    {
        if (Directory.Exists(path))
        {
            return null;
        }

        using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, SniffLength);
        return Sniff(file).Problem;
    }

    /// <summary>
    /// Opens <paramref name="path"/> and yields its stream files, or a problem entry for each one that cannot be
    /// imported. Each yielded stream is only valid until the next one is requested (tar entries are forward-only).
    /// </summary>
    public static IEnumerable<StreamInput> Open(string path)
    {
        using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        foreach (var input in Unwrap(path, file, depth: 0))
        {
            yield return input;
        }
    }

    private static IEnumerable<StreamInput> Unwrap(string name, Stream stream, int depth)
    {
        var (kind, content, problem) = Sniff(stream);
        switch (kind)
        {
            case ContentKind.Unsupported:
                yield return new StreamInput(name, null, problem);
                break;
            case ContentKind.JsonLines:
                yield return new StreamInput(name, content);
                break;
            case ContentKind.BZip2 when depth < MaxNesting:
                using (var bz2 = Bzip2Decompression.Open(content, depth == 0 ? name : null))
                {
                    foreach (var inner in Unwrap(name, bz2, depth + 1))
                    {
                        yield return inner;
                    }
                }

                break;
            case ContentKind.GZip when depth < MaxNesting:
                using (var gzip = new GZipStream(content, System.IO.Compression.CompressionMode.Decompress, leaveOpen: true))
                {
                    foreach (var inner in Unwrap(name, gzip, depth + 1))
                    {
                        yield return inner;
                    }
                }

                break;
            case ContentKind.Tar when depth < MaxNesting:
                foreach (var entry in ReadTar(name, content, depth))
                {
                    yield return entry;
                }

                break;
            default:
                yield return new StreamInput(name, null, "compressed inside a compressed file more than twice");
                break;
        }
    }

    // System.Formats.Tar rather than SharpCompress here: SharpCompress's TarReader needs a rewindable stream,
    // and a tar inside .bz2/.gz (or behind our sniffing prefix) is forward-only. The BCL reader streams entries.
    private static IEnumerable<StreamInput> ReadTar(string name, Stream content, int depth)
    {
        using var reader = new TarReader(content, leaveOpen: true);
        while (reader.GetNextEntry() is { } entry)
        {
            if (entry.EntryType is not (TarEntryType.RegularFile or TarEntryType.V7RegularFile or TarEntryType.ContiguousFile)
                || entry.DataStream is not { } data)
            {
                continue;
            }

            foreach (var input in Unwrap($"{name}/{entry.Name.TrimStart('/')}", data, depth + 1))
            {
                yield return input;
            }
        }
    }

    private enum ContentKind
    {
        JsonLines,
        BZip2,
        GZip,
        Tar,
        Unsupported,
    }

    private static (ContentKind Kind, Stream Content, string? Problem) Sniff(Stream stream)
    {
        var head = new byte[SniffLength];
        var length = 0;
        int read;
        while (length < head.Length && (read = stream.Read(head, length, head.Length - length)) > 0)
        {
            length += read;
        }

        var bytes = head.AsSpan(0, length);
        var content = new PrefixedStream(head, length, stream);
        if (bytes.StartsWith("BZh"u8))
        {
            return (ContentKind.BZip2, content, null);
        }

        if (bytes.StartsWith((ReadOnlySpan<byte>)[0x1F, 0x8B]))
        {
            return (ContentKind.GZip, content, null);
        }

        if (length >= 262 && bytes.Slice(257, 5).SequenceEqual("ustar"u8))
        {
            return (ContentKind.Tar, content, null);
        }

        if (Unsupported(bytes) is { } unsupported)
        {
            return (ContentKind.Unsupported, content, $"unsupported compression ({unsupported}); import reads plain JSON lines, .gz, .bz2 and .tar");
        }

        var first = bytes.TrimStart(" \t\r\n"u8);
        if (first.StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF]))
        {
            first = first[3..];
        }

        if (length > 0 && (first.IsEmpty ? length == SniffLength : first[0] != (byte)'{'))
        {
            return (ContentKind.Unsupported, content, "not a Betfair stream file (expected JSON lines starting with '{', or .gz, .bz2 or .tar)");
        }

        return (ContentKind.JsonLines, content, null);
    }

    private static string? Unsupported(ReadOnlySpan<byte> head) => head switch
    {
        _ when head.StartsWith("PK\u0003\u0004"u8) || head.StartsWith("PK\u0005\u0006"u8) => "zip",
        _ when head.StartsWith((ReadOnlySpan<byte>)[0xFD, (byte)'7', (byte)'z', (byte)'X', (byte)'Z', 0x00]) => "xz",
        _ when head.StartsWith((ReadOnlySpan<byte>)[(byte)'7', (byte)'z', 0xBC, 0xAF, 0x27, 0x1C]) => "7z",
        _ when head.StartsWith((ReadOnlySpan<byte>)[0x28, 0xB5, 0x2F, 0xFD]) => "zstd",
        _ when head.StartsWith("Rar!"u8) => "rar",
        _ when head.StartsWith((ReadOnlySpan<byte>)[0x04, 0x22, 0x4D, 0x18]) => "lz4",
        _ => null,
    };
}
