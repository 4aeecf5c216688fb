using System.Buffers;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using NetBet.Ingest.Betfair;

namespace NetBet.Exchange;

// The betting operations: authentication, fault injection, request limits and the answers.
public sealed partial class ExchangeSimulator
{
    private async Task BettingAsync(HttpContext context, string operation)
    {
        byte[] body;
        using (var buffer = new MemoryStream())
        {
            await context.Request.Body.CopyToAsync(buffer, context.RequestAborted);
            body = buffer.ToArray();
        }

        if (string.IsNullOrEmpty(context.Request.Headers["X-Application"].ToString()))
        {
            await FaultAsync(context, operation, 0, "NO_APP_KEY", "ANGX-0004");
            return;
        }

        var token = context.Request.Headers["X-Authentication"].ToString();
        if (token.Length == 0)
        {
            await FaultAsync(context, operation, 0, "NO_SESSION", "ANGX-0005");
            return;
        }

        if (!IsValidSession(token))
        {
            await FaultAsync(context, operation, 0, "INVALID_SESSION_INFORMATION", "ANGX-0003");
            return;
        }

        var fault = Faults.Draw(operation);
        switch (fault)
        {
            case SimulatorFault.ServerError:
                Record(operation, 0, 503, "HTTP_503");
                context.Response.StatusCode = 503;
                await context.Response.WriteAsync("Service Unavailable (simulated)\n", context.RequestAborted);
                return;
            case SimulatorFault.InvalidSession:
                _sessionExpiry.TryRemove(token, out _);
                await FaultAsync(context, operation, 0, "INVALID_SESSION_INFORMATION", "ANGX-0003");
                return;
            case SimulatorFault.Slow:
                await Task.Delay(Faults.SlowDelay, context.RequestAborted);
                break;
            default:
                break;
        }

        JsonElement request;
        try
        {
            using var document = JsonDocument.Parse(body);
            request = document.RootElement.Clone();
        }
        catch (JsonException)
        {
            await FaultAsync(context, operation, 0, "INVALID_INPUT_DATA", "ANGX-0002");
            return;
        }

        if (request.ValueKind != JsonValueKind.Object)
        {
            await FaultAsync(context, operation, 0, "INVALID_INPUT_DATA", "ANGX-0002");
            return;
        }

        var malformed = fault == SimulatorFault.MalformedJson;
        if (operation == "listMarketBook")
        {
            await MarketBookAsync(context, request, malformed);
        }
        else
        {
            await MarketCatalogueAsync(context, request, malformed);
        }
    }

    private async Task MarketBookAsync(HttpContext context, JsonElement request, bool malformed)
    {
        const string Operation = "listMarketBook";
        var ids = Strings(request, "marketIds");
        if (ids is not { Count: > 0 })
        {
            await FaultAsync(context, Operation, 0, "INVALID_INPUT_DATA", "ANGX-0002");
            return;
        }

        var priceData = request.TryGetProperty("priceProjection", out var projection) ? Strings(projection, "priceData") ?? [] : [];
        var allOffers = priceData.Contains("EX_ALL_OFFERS");
        var bestOffers = priceData.Contains("EX_BEST_OFFERS");
        var traded = priceData.Contains("EX_TRADED");
        var weight = allOffers && traded ? 32 : bestOffers && traded ? 20
            : allOffers || traded ? 17 : bestOffers ? 5 : 2;
        if (weight * ids.Count > BetfairClient.MaxRequestWeight
            || (Faults.TooMuchDataAboveMarkets is { } limit && ids.Count > limit))
        {
            await FaultAsync(context, Operation, ids.Count, "TOO_MUCH_DATA", "ANGX-0001");
            return;
        }

        var now = _time.GetUtcNow();
        int? depth = allOffers ? null : bestOffers ? 3 : 0;
        await WriteJsonAsync(context, 200, json =>
        {
            json.WriteStartArray();
            foreach (var id in ids.Distinct(StringComparer.Ordinal))
            {
                if (Model.Find(id) is { } market)
                {
                    Model.WriteBook(json, market, now, depth);
                }
            }

            json.WriteEndArray();
        }, malformed);
        Record(Operation, ids.Count, 200, malformed ? "MALFORMED_JSON" : null);
    }

    private async Task MarketCatalogueAsync(HttpContext context, JsonElement request, bool malformed)
    {
        const string Operation = "listMarketCatalogue";
        var maxResults = request.TryGetProperty("maxResults", out var max) && max.TryGetInt32(out var m) ? m : 0;
        if (maxResults is < 1 or > 1000)
        {
            await FaultAsync(context, Operation, maxResults, "INVALID_INPUT_DATA", "ANGX-0002");
            return;
        }

        var projections = Strings(request, "marketProjection") ?? [];
        var weight = (projections.Contains("MARKET_DESCRIPTION") ? 1 : 0) + (projections.Contains("RUNNER_METADATA") ? 1 : 0);
        if (weight * maxResults > BetfairClient.MaxRequestWeight)
        {
            await FaultAsync(context, Operation, maxResults, "TOO_MUCH_DATA", "ANGX-0001");
            return;
        }

        var filter = request.TryGetProperty("filter", out var f) && f.ValueKind == JsonValueKind.Object ? f : default;
        var eventTypes = filter.ValueKind == JsonValueKind.Object ? Strings(filter, "eventTypeIds") : null;
        var marketTypes = filter.ValueKind == JsonValueKind.Object ? Strings(filter, "marketTypeCodes") : null;
        var marketIds = filter.ValueKind == JsonValueKind.Object ? Strings(filter, "marketIds") : null;
        DateTimeOffset? from = null, to = null;
        if (filter.ValueKind == JsonValueKind.Object && filter.TryGetProperty("marketStartTime", out var range)
            && range.ValueKind == JsonValueKind.Object)
        {
            from = range.TryGetProperty("from", out var fromValue) && fromValue.TryGetDateTimeOffset(out var a) ? a : null;
            to = range.TryGetProperty("to", out var toValue) && toValue.TryGetDateTimeOffset(out var b) ? b : null;
        }

        var now = _time.GetUtcNow();
        var markets = (eventTypes is null || eventTypes.Contains("1")) && (marketTypes is null || marketTypes.Contains("MATCH_ODDS"))
            ? Model.Markets
                .Where(market => !MarketModel.IsClosed(market, now)) // Betfair never lists CLOSED markets
                .Where(market => (from is null || market.KickOff >= from) && (to is null || market.KickOff <= to))
                .Where(market => marketIds is null || marketIds.Contains(market.MarketId))
                .OrderBy(market => market.KickOff).ThenBy(market => market.Index)
                .Take(maxResults)
                .ToList()
            : [];

        await WriteJsonAsync(context, 200, json =>
        {
            json.WriteStartArray();
            foreach (var market in markets)
            {
                WriteCatalogue(json, market, Model.ViewAt(market, now), projections);
            }

            json.WriteEndArray();
        }, malformed);
        Record(Operation, maxResults, 200, malformed ? "MALFORMED_JSON" : null);
    }

    private static void WriteCatalogue(Utf8JsonWriter json, SimulatedMarket market, MarketView view, IReadOnlyCollection<string> projections)
    {
        var kickOff = MarketModel.FormatTime(market.KickOff);
        json.WriteStartObject();
        json.WriteString("marketId", market.MarketId);
        json.WriteString("marketName", "Match Odds");
        if (projections.Contains("MARKET_START_TIME"))
        {
            json.WriteString("marketStartTime", kickOff);
        }

        json.WriteNumber("totalMatched", Math.Round(view.HomeMatched + view.AwayMatched + view.DrawMatched, 2));
        if (projections.Contains("MARKET_DESCRIPTION"))
        {
            json.WriteStartObject("description");
            json.WriteBoolean("persistenceEnabled", true);
            json.WriteBoolean("bspMarket", false);
            json.WriteString("marketTime", kickOff);
            json.WriteString("suspendTime", kickOff);
            json.WriteString("bettingType", "ODDS");
            json.WriteBoolean("turnInPlayEnabled", true);
            json.WriteString("marketType", "MATCH_ODDS");
            json.WriteString("regulator", "MALTA LOTTERIES AND GAMBLING AUTHORITY");
            json.WriteNumber("marketBaseRate", 5.0);
            json.WriteBoolean("discountAllowed", true);
            json.WriteString("wallet", "UK wallet");
            json.WriteBoolean("rulesHasDate", true);
            json.WriteStartObject("priceLadderDescription");
            json.WriteString("type", "CLASSIC");
            json.WriteEndObject();
            json.WriteEndObject();
        }

        if (projections.Contains("RUNNER_DESCRIPTION"))
        {
            json.WriteStartArray("runners");
            WriteRunner(json, market.Home.SelectionId, market.Home.Name, 1);
            WriteRunner(json, market.Away.SelectionId, market.Away.Name, 2);
            WriteRunner(json, SimulatedMarket.DrawSelectionId, "The Draw", 3);
            json.WriteEndArray();
        }

        if (projections.Contains("EVENT_TYPE"))
        {
            json.WriteStartObject("eventType");
            json.WriteString("id", "1");
            json.WriteString("name", "Soccer");
            json.WriteEndObject();
        }

        if (projections.Contains("COMPETITION"))
        {
            json.WriteStartObject("competition");
            json.WriteString("id", market.Competition.Id);
            json.WriteString("name", market.Competition.Name);
            json.WriteEndObject();
        }

        if (projections.Contains("EVENT"))
        {
            json.WriteStartObject("event");
            json.WriteString("id", market.EventId);
            json.WriteString("name", market.EventName);
            json.WriteString("countryCode", market.Competition.CountryCode);
            json.WriteString("timezone", market.Competition.Timezone);
            json.WriteString("openDate", kickOff);
            json.WriteEndObject();
        }

        json.WriteEndObject();
    }

    private static void WriteRunner(Utf8JsonWriter json, long selectionId, string name, int sortPriority)
    {
        json.WriteStartObject();
        json.WriteNumber("selectionId", selectionId);
        json.WriteString("runnerName", name);
        json.WriteNumber("handicap", 0.0);
        json.WriteNumber("sortPriority", sortPriority);
        json.WriteStartObject("metadata");
        json.WriteString("runnerId", selectionId.ToString(System.Globalization.CultureInfo.InvariantCulture));
        json.WriteEndObject();
        json.WriteEndObject();
    }

    private static List<string>? Strings(JsonElement parent, string name)
    {
        if (!parent.TryGetProperty(name, out var array) || array.ValueKind != JsonValueKind.Array)
        {
            return null;
        }

        return [.. array.EnumerateArray().Where(e => e.ValueKind == JsonValueKind.String).Select(e => e.GetString()!)];
    }

    // Betfair's JSON REST error shape: HTTP 400 with an APINGException under detail.
    private async Task FaultAsync(HttpContext context, string operation, int markets, string errorCode, string faultString)
    {
        Record(operation, markets, 400, errorCode);
        await WriteJsonAsync(context, 400, json =>
        {
            json.WriteStartObject();
            json.WriteStartObject("detail");
            json.WriteString("exceptionname", "APINGException");
            json.WriteStartObject("APINGException");
            json.WriteString("errorDetails", "");
            json.WriteString("errorCode", errorCode);
            json.WriteString("requestUUID", $"sim-{Guid.NewGuid():N}");
            json.WriteEndObject();
            json.WriteEndObject();
            json.WriteString("faultcode", "Client");
            json.WriteString("faultstring", faultString);
            json.WriteEndObject();
        });
    }

    private void Record(string operation, int markets, int status, string? errorCode)
    {
        _requests.Enqueue(new SimulatorRequest(operation, markets, status, errorCode));
        Log.Betting(_logger, operation, markets, status, errorCode);
    }

    private static async Task WriteJsonAsync(HttpContext context, int status, Action<Utf8JsonWriter> write, bool truncate = false)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var json = new Utf8JsonWriter(buffer))
        {
            write(json);
        }

        // A malformed answer: the first half of a valid one, as when a connection drops mid-body behind a proxy.
        var bytes = truncate ? buffer.WrittenMemory[..Math.Max(1, buffer.WrittenCount / 2)] : buffer.WrittenMemory;
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        context.Response.ContentLength = bytes.Length;
        await context.Response.Body.WriteAsync(bytes, context.RequestAborted);
    }
}
