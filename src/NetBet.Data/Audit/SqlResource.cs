namespace NetBet.Data.Audit;

/// <summary>Reads the long audit and backfill statements kept as embedded <c>Sql/*.sql</c> files.</summary>
internal static class SqlResource
{
    public static string Read(string fileName)
    {
        var assembly = typeof(SqlResource).Assembly;
        var name = assembly.GetManifestResourceNames().Single(n => n.EndsWith(".Sql." + fileName, StringComparison.Ordinal));
        using var stream = assembly.GetManifestResourceStream(name)!;
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
