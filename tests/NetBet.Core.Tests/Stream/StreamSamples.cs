using SharpCompress.Compressors;
using SharpCompress.Compressors.BZip2;

namespace NetBet.Core.Tests.Stream;

/// <summary>Reads the stream samples in ../shared/data/betfair/stream as lines of UTF-8 bytes.</summary>
internal static class StreamSamples
{
    public const string Nautilus1 = "nautechsystems_nautilus_trader__1-166811431.bz2";
    public const string Nautilus2 = "nautechsystems_nautilus_trader__1-180305278.bz2";
    public const string NautilusHorse = "nautechsystems_nautilus_trader__1-206064380.bz2";
    public const string Flumine = "betcode-org_flumine__1.200806927";
    public const string Kelvin = "KelvinVail_Betfair__MarketStream.txt";
    public const string Limx0 = "limx0_betfair_parser__1.242971311.bz2";
    public const string Mzaja = "mzaja_betfair-database__1.145405534.bz2";
    public const string Basic = "petermclagan_betfair-historical__football-basic-sample.bz2";

    public static IEnumerable<string> All => [Nautilus1, Nautilus2, NautilusHorse, Flumine, Kelvin, Limx0, Mzaja, Basic];

    public static string HistoricalPath(string name) => SharedData.Path("data", "betfair", "stream", "historical", name);

    public static string LivePath(string name) => SharedData.Path("data", "betfair", "stream", "live", name);

    public static List<byte[]> ReadHistoricalLines(string name)
    {
        var path = HistoricalPath(name);
        using var file = File.OpenRead(path);
        using System.IO.Stream input = path.EndsWith(".bz2", StringComparison.Ordinal)
            ? BZip2Stream.Create(file, CompressionMode.Decompress, decompressConcatenated: true, leaveOpen: false, tolerateTruncatedStream: false)
            : file;
        using var buffer = new MemoryStream();
        input.CopyTo(buffer);
        return SplitLines(buffer.ToArray());
    }

    public static List<byte[]> SplitLines(ReadOnlySpan<byte> bytes)
    {
        var lines = new List<byte[]>();
        while (!bytes.IsEmpty)
        {
            var end = bytes.IndexOf((byte)'\n');
            var line = end < 0 ? bytes : bytes[..end];
            if (line.Length > 0 && line[^1] == (byte)'\r')
            {
                line = line[..^1];
            }

            if (!line.Trim(" \t"u8).IsEmpty)
            {
                lines.Add(line.ToArray());
            }

            bytes = end < 0 ? [] : bytes[(end + 1)..];
        }

        return lines;
    }
}
