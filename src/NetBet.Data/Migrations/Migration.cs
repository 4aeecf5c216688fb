using System.Reflection;
using System.Security.Cryptography;
using System.Text;

namespace NetBet.Data.Migrations;

/// <summary>One versioned SQL script embedded from <c>Migrations/&lt;id&gt;.sql</c>.</summary>
/// <param name="Id">The file name without <c>.sql</c>, such as <c>2026-02-06_base_schema</c>; ids sort in apply order.</param>
/// <param name="Sql">The script text, line endings normalised to <c>\n</c>.</param>
/// <param name="Checksum">Lower-case SHA-256 hex of <paramref name="Sql"/> in UTF-8.</param>
public sealed record Migration(string Id, string Sql, string Checksum)
{
    /// <summary>The first 12 hex digits of <see cref="Checksum"/>, as status lines show it.</summary>
    public string ShortChecksum => Checksum[..12];

    /// <summary>Builds a migration from its id and script text, normalising line endings before hashing.</summary>
    public static Migration FromText(string id, string text)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(id);
        ArgumentNullException.ThrowIfNull(text);
        var sql = text.ReplaceLineEndings("\n");
        return new Migration(id, sql, ComputeChecksum(sql));
    }

    /// <summary>SHA-256 hex of the text with line endings normalised to <c>\n</c>.</summary>
    public static string ComputeChecksum(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text.ReplaceLineEndings("\n"))));
    }
}

/// <summary>The migrations embedded in this assembly, in apply order.</summary>
public static class MigrationCatalog
{
    private const string ResourcePrefix = "NetBet.Data.Migrations.";
    private const string ResourceSuffix = ".sql";

    private static readonly Lazy<IReadOnlyList<Migration>> Embedded = new(Load);

    /// <summary>Every embedded migration, ordered by id (ordinal).</summary>
    public static IReadOnlyList<Migration> All => Embedded.Value;

    /// <summary>The migration with this id, or null.</summary>
    public static Migration? Find(string id) => All.FirstOrDefault(m => m.Id == id);

    private static List<Migration> Load()
    {
        var assembly = typeof(MigrationCatalog).Assembly;
        var migrations = new List<Migration>();
        foreach (var name in assembly.GetManifestResourceNames())
        {
            if (!name.StartsWith(ResourcePrefix, StringComparison.Ordinal) || !name.EndsWith(ResourceSuffix, StringComparison.Ordinal))
            {
                continue;
            }

            var id = name[ResourcePrefix.Length..^ResourceSuffix.Length];
            migrations.Add(Migration.FromText(id, ReadResource(assembly, name)));
        }

        migrations.Sort((a, b) => string.CompareOrdinal(a.Id, b.Id));
        return migrations;
    }

    private static string ReadResource(Assembly assembly, string name)
    {
        using var stream = assembly.GetManifestResourceStream(name)
            ?? throw new InvalidOperationException($"Embedded migration resource {name} is missing.");
        using var reader = new StreamReader(stream, Encoding.UTF8);
        return reader.ReadToEnd();
    }
}
