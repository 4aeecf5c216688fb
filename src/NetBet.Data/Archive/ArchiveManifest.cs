using System.Text.Json;
using System.Text.Json.Serialization;

namespace NetBet.Data.Archive;

/// <summary>
/// <c>manifest.json</c> of one archived month: what each file holds, how many rows, and its SHA-256, so a restore
/// can refuse a damaged or edited file before loading anything.
/// </summary>
public sealed record ArchiveManifest
{
    /// <summary>The format this build writes and reads.</summary>
    public const string CurrentFormat = "netbet-month-archive/1";

    /// <summary>The manifest's file name in a month directory.</summary>
    public const string FileName = "manifest.json";

    private static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        WriteIndented = true,
    };

    /// <summary>Always <see cref="CurrentFormat"/> for archives this build writes.</summary>
    public required string Format { get; init; }

    /// <summary>The month, <c>YYYY-MM</c>.</summary>
    public required string Month { get; init; }

    /// <summary>When the archive was written.</summary>
    public required DateTimeOffset CreatedAt { get; init; }

    /// <summary>One entry per table, in restore order (metadata, snapshots, derived rows).</summary>
    public required IReadOnlyList<ArchiveFile> Files { get; init; }

    /// <summary>The manifest as JSON text.</summary>
    public string ToJson() => JsonSerializer.Serialize(this, Json);

    /// <summary>Reads a manifest; <see cref="ArchiveException"/> naming the file when it is not one this build can restore.</summary>
    public static ArchiveManifest Read(string path)
    {
        ArchiveManifest? manifest;
        try
        {
            manifest = JsonSerializer.Deserialize<ArchiveManifest>(File.ReadAllText(path), Json);
        }
        catch (JsonException e)
        {
            throw new ArchiveException($"{path}: not a netbet archive manifest: {e.Message}", e);
        }

        if (manifest is null || manifest.Format != CurrentFormat)
        {
            throw new ArchiveException($"{path}: format '{manifest?.Format}' is not {CurrentFormat}");
        }

        return manifest;
    }
}

/// <summary>One table's rows of an archived month: a gzip-compressed PostgreSQL binary COPY stream.</summary>
/// <param name="Table">The table the rows belong to.</param>
/// <param name="File">File name in the month directory.</param>
/// <param name="Columns">The columns, in the order of the COPY stream.</param>
/// <param name="Rows">Rows in the file.</param>
/// <param name="Bytes">Compressed size.</param>
/// <param name="Sha256">Lower-case SHA-256 hex of the compressed file.</param>
public sealed record ArchiveFile(
    string Table,
    string File,
    IReadOnlyList<string> Columns,
    long Rows,
    long Bytes,
    [property: JsonPropertyName("sha256")] string Sha256);

/// <summary>An archive could not be written, verified or restored; the message names the month or file and why.</summary>
public sealed class ArchiveException : Exception
{
    /// <summary>Creates the exception.</summary>
    public ArchiveException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public ArchiveException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and a cause.</summary>
    public ArchiveException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
