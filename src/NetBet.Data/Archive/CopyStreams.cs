using System.Buffers.Binary;
using System.IO.Compression;
using System.Security.Cryptography;

namespace NetBet.Data.Archive;

/// <summary>Reading archive files back: their SHA-256, and the rows of the binary COPY stream inside.</summary>
internal static class CopyStreams
{
    // "PGCOPY\n\377\r\n\0"
    private static readonly byte[] Signature = [0x50, 0x47, 0x43, 0x4f, 0x50, 0x59, 0x0a, 0xff, 0x0d, 0x0a, 0x00];

    /// <summary>Lower-case SHA-256 hex of a file.</summary>
    public static async Task<string> Sha256Async(string path, CancellationToken cancellationToken)
    {
        await using var file = File.OpenRead(path);
        return Convert.ToHexStringLower(await SHA256.HashDataAsync(file, cancellationToken));
    }

    /// <summary>
    /// Decompresses <paramref name="path"/> and walks its binary COPY stream to the trailer, returning the row count:
    /// proof the file is complete and readable (gzip checks its CRC at the end).
    /// </summary>
    public static long CountRows(string path)
    {
        using var file = File.OpenRead(path);
        using var gzip = new GZipStream(file, CompressionMode.Decompress);
        using var stream = new BufferedStream(gzip, 1 << 16);
        Span<byte> header = stackalloc byte[19];
        stream.ReadExactly(header);
        if (!header[..11].SequenceEqual(Signature))
        {
            throw new InvalidDataException("not a PostgreSQL binary COPY stream");
        }

        Skip(stream, BinaryPrimitives.ReadInt32BigEndian(header[15..]));
        Span<byte> word = stackalloc byte[4];
        long rows = 0;
        while (true)
        {
            stream.ReadExactly(word[..2]);
            var fields = BinaryPrimitives.ReadInt16BigEndian(word);
            if (fields == -1)
            {
                return stream.ReadByte() == -1 ? rows : throw new InvalidDataException("data after the trailer");
            }

            for (var i = 0; i < fields; i++)
            {
                stream.ReadExactly(word);
                Skip(stream, BinaryPrimitives.ReadInt32BigEndian(word));
            }

            rows++;
        }
    }

    private static void Skip(Stream stream, int length)
    {
        Span<byte> buffer = stackalloc byte[4096];
        while (length > 0)
        {
            var chunk = Math.Min(length, buffer.Length);
            stream.ReadExactly(buffer[..chunk]);
            length -= chunk;
        }
    }
}
