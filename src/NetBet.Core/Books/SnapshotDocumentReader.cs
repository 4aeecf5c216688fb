using System.Globalization;
using System.Text.Json;

namespace NetBet.Core.Books;

/// <summary>A snapshot document: a MarketBook with the runner roles of its market.</summary>
/// <param name="Book">The MarketBook.</param>
/// <param name="Roles">The roles, or null when the document does not map all of HOME, AWAY and DRAW.</param>
public sealed record SnapshotDocument(MarketBook Book, RunnerRoles? Roles);

/// <summary>
/// Reads <c>{"marketBook": {...}, "roles": {"&lt;selectionId&gt;": "HOME" | "AWAY" | "DRAW", ...}}</c>; other keys
/// are ignored. Role keys are selection ids written as strings and match the book's numeric <c>selectionId</c>; role
/// names match in any letter case and other names are ignored (<see cref="RunnerRoles.FromRoleNames"/>).
/// </summary>
public static class SnapshotDocumentReader
{
    /// <summary>Reads one snapshot document positioned on its first token.</summary>
    /// <param name="reader">A reader over the complete document.</param>
    /// <param name="jsonPath">Path of the document, used in error messages.</param>
    /// <exception cref="MarketBookFormatException">The document cannot be read.</exception>
    public static SnapshotDocument Read(ref Utf8JsonReader reader, string jsonPath = "$")
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            throw new MarketBookFormatException($"expected a snapshot object, got {MarketBookReader.Describe(reader.TokenType)}", jsonPath);
        }

        MarketBook? book = null;
        RunnerRoles? roles = null;
        while (Next(ref reader, jsonPath) == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("marketBook"u8))
            {
                Next(ref reader, jsonPath);
                book = MarketBookReader.Read(ref reader, jsonPath + ".marketBook");
            }
            else if (reader.ValueTextEquals("roles"u8))
            {
                Next(ref reader, jsonPath);
                roles = ReadRoles(ref reader, jsonPath + ".roles");
            }
            else
            {
                reader.Skip();
            }
        }

        return book is null
            ? throw new MarketBookFormatException("missing \"marketBook\"", jsonPath)
            : new SnapshotDocument(book, roles);
    }

    private static RunnerRoles? ReadRoles(ref Utf8JsonReader reader, string path)
    {
        if (reader.TokenType == JsonTokenType.Null)
        {
            return null;
        }

        if (reader.TokenType != JsonTokenType.StartObject)
        {
            throw new MarketBookFormatException($"expected an object of roles, got {MarketBookReader.Describe(reader.TokenType)}", path);
        }

        var pairs = new List<KeyValuePair<long, string>>(3);
        while (Next(ref reader, path) == JsonTokenType.PropertyName)
        {
            var key = reader.GetString()!;
            if (!long.TryParse(key, NumberStyles.None, CultureInfo.InvariantCulture, out var selectionId) || selectionId == 0)
            {
                throw new MarketBookFormatException("role key is not a selection id", $"{path}[\"{key}\"]");
            }

            Next(ref reader, path);
            if (reader.TokenType != JsonTokenType.String)
            {
                throw new MarketBookFormatException($"expected \"HOME\", \"AWAY\" or \"DRAW\", got {MarketBookReader.Describe(reader.TokenType)}", $"{path}[\"{key}\"]");
            }

            pairs.Add(new(selectionId, reader.GetString()!));
        }

        return RunnerRoles.FromRoleNames(pairs);
    }

    private static JsonTokenType Next(ref Utf8JsonReader reader, string path) =>
        reader.Read() ? reader.TokenType : throw new MarketBookFormatException("unexpected end of JSON", path);
}
