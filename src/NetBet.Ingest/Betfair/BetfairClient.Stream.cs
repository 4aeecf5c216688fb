using System.Text.Json;

namespace NetBet.Ingest.Betfair;

// What the Exchange Stream API needs from the REST side: the session token to authenticate the socket with, a fresh
// one when the stream says the session expired, and the catalogue of market ids the stream reported.
public sealed partial class BetfairClient
{
    /// <summary>The application key the client logs in with (the stream's <c>appKey</c>).</summary>
    public string? AppKey => _options.AppKey;

    /// <summary>The current session token, logging in first when there is none.</summary>
    /// <param name="cancellationToken">Cancels a login.</param>
    public async Task<string> GetSessionTokenAsync(CancellationToken cancellationToken)
    {
        await EnsureSessionAsync(cancellationToken);
        return Volatile.Read(ref _sessionToken) ?? throw new BetfairUnavailableException("no session after login");
    }

    /// <summary>Logs in again because <paramref name="staleToken"/> was refused, unless another caller already did.</summary>
    /// <param name="staleToken">The token that was refused.</param>
    /// <param name="cancellationToken">Cancels the login.</param>
    public Task RenewSessionAsync(string staleToken, CancellationToken cancellationToken) =>
        ReplaceSessionAsync(staleToken, cancellationToken);

    /// <summary>
    /// listMarketCatalogue for exactly these market ids (CLOSED markets are never answered), in requests of at most
    /// <see cref="MaxMarketsPerCatalogueRequest"/> ids, with the same projections as <see cref="ListMarketCatalogueAsync"/>.
    /// </summary>
    /// <param name="marketIds">Market ids; duplicates are asked once.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    public async Task<IReadOnlyList<MarketCatalogue>> ListMarketCatalogueByIdAsync(
        IReadOnlyCollection<string> marketIds, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(marketIds);
        var markets = new List<MarketCatalogue>(marketIds.Count);
        foreach (var chunk in marketIds.Distinct(StringComparer.Ordinal).Chunk(MaxMarketsPerCatalogueRequest))
        {
            var answer = await CallBettingAsync("listMarketCatalogue", CatalogueByIdRequest(chunk), cancellationToken);
            try
            {
                markets.AddRange(JsonSerializer.Deserialize(answer, BetfairJsonContext.Default.ListMarketCatalogue)
                    ?? throw new JsonException("null instead of an array"));
            }
            catch (JsonException e)
            {
                throw new BetfairUnavailableException($"listMarketCatalogue answered with malformed JSON: {e.Message}", e);
            }
        }

        return markets;
    }

    private static byte[] CatalogueByIdRequest(string[] marketIds)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteStartObject("filter");
            json.WriteStartArray("marketIds");
            foreach (var id in marketIds)
            {
                json.WriteStringValue(id);
            }

            json.WriteEndArray();
            json.WriteEndObject();
            json.WriteStartArray("marketProjection");
            foreach (var projection in CatalogueProjections)
            {
                json.WriteStringValue(projection);
            }

            json.WriteEndArray();
            json.WriteNumber("maxResults", marketIds.Length);
            json.WriteEndObject();
        }

        return buffer.ToArray();
    }
}
