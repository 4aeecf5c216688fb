using System.Text.Json.Serialization;

namespace NetBet.Ingest.Betfair;

/// <summary>One listMarketCatalogue entry: the static description of a market.</summary>
public sealed record MarketCatalogue(
    [property: JsonPropertyName("marketId")] string MarketId,
    [property: JsonPropertyName("marketName")] string? MarketName,
    [property: JsonPropertyName("marketStartTime")] DateTimeOffset? MarketStartTime,
    [property: JsonPropertyName("totalMatched")] double? TotalMatched,
    [property: JsonPropertyName("description")] MarketDescription? Description,
    [property: JsonPropertyName("runners")] IReadOnlyList<RunnerCatalogue>? Runners,
    [property: JsonPropertyName("eventType")] EventTypeInfo? EventType,
    [property: JsonPropertyName("competition")] CompetitionInfo? Competition,
    [property: JsonPropertyName("event")] EventInfo? Event);

/// <summary>The <c>description</c> block (MARKET_DESCRIPTION projection), reduced to what is stored.</summary>
public sealed record MarketDescription(
    [property: JsonPropertyName("marketType")] string? MarketType,
    [property: JsonPropertyName("marketTime")] DateTimeOffset? MarketTime,
    [property: JsonPropertyName("turnInPlayEnabled")] bool? TurnInPlayEnabled);

/// <summary>A catalogue runner (RUNNER_DESCRIPTION projection).</summary>
public sealed record RunnerCatalogue(
    [property: JsonPropertyName("selectionId")] long SelectionId,
    [property: JsonPropertyName("runnerName")] string? RunnerName,
    [property: JsonPropertyName("handicap")] double Handicap,
    [property: JsonPropertyName("sortPriority")] int SortPriority);

/// <summary>The <c>eventType</c> block.</summary>
public sealed record EventTypeInfo(
    [property: JsonPropertyName("id")] string? Id,
    [property: JsonPropertyName("name")] string? Name);

/// <summary>The <c>competition</c> block (COMPETITION projection).</summary>
public sealed record CompetitionInfo(
    [property: JsonPropertyName("id")] string? Id,
    [property: JsonPropertyName("name")] string? Name);

/// <summary>The <c>event</c> block (EVENT projection).</summary>
public sealed record EventInfo(
    [property: JsonPropertyName("id")] string? Id,
    [property: JsonPropertyName("name")] string? Name,
    [property: JsonPropertyName("countryCode")] string? CountryCode,
    [property: JsonPropertyName("timezone")] string? Timezone,
    [property: JsonPropertyName("openDate")] DateTimeOffset? OpenDate);

/// <summary>
/// One MarketBook of a listMarketBook answer, kept as the exact bytes Betfair sent so the stored raw payload and
/// the derived row computed from it agree byte for byte with a later backfill.
/// </summary>
/// <param name="MarketId">The book's <c>marketId</c>, or null when it has none.</param>
/// <param name="Json">The MarketBook object as UTF-8 JSON, verbatim.</param>
public sealed record RawMarketBook(string? MarketId, ReadOnlyMemory<byte> Json);

/// <summary>What a listMarketBook call by batches returned: the books, and the requests that failed after their retries.</summary>
/// <param name="Books">Books of the requests that succeeded.</param>
/// <param name="Failures">One entry per failed request, naming its markets.</param>
public sealed record MarketBookFetch(List<RawMarketBook> Books, List<MarketBookFailure> Failures);

/// <summary>A listMarketBook request that failed after its retries.</summary>
/// <param name="MarketIds">The markets it asked for.</param>
/// <param name="Error">The failure.</param>
public sealed record MarketBookFailure(IReadOnlyList<string> MarketIds, Exception Error);

[JsonSerializable(typeof(List<MarketCatalogue>))]
[JsonSerializable(typeof(IdentityResponse))]
[JsonSerializable(typeof(ApiFault))]
[JsonSourceGenerationOptions(PropertyNameCaseInsensitive = false)]
internal sealed partial class BetfairJsonContext : JsonSerializerContext;

/// <summary>Answer of login / keepAlive / logout (<c>token/status/error</c>) and certlogin (<c>sessionToken/loginStatus</c>).</summary>
internal sealed record IdentityResponse(
    [property: JsonPropertyName("token")] string? Token,
    [property: JsonPropertyName("status")] string? Status,
    [property: JsonPropertyName("error")] string? Error,
    [property: JsonPropertyName("sessionToken")] string? SessionToken,
    [property: JsonPropertyName("loginStatus")] string? LoginStatus);

/// <summary>A JSON REST error body: <c>{"faultcode","faultstring","detail":{"APINGException":{...}}}</c>.</summary>
internal sealed record ApiFault(
    [property: JsonPropertyName("faultcode")] string? FaultCode,
    [property: JsonPropertyName("faultstring")] string? FaultString,
    [property: JsonPropertyName("detail")] ApiFaultDetail? Detail);

internal sealed record ApiFaultDetail(
    [property: JsonPropertyName("exceptionname")] string? ExceptionName,
    [property: JsonPropertyName("APINGException")] ApiNgException? ApiNgException);

internal sealed record ApiNgException(
    [property: JsonPropertyName("errorCode")] string? ErrorCode,
    [property: JsonPropertyName("errorDetails")] string? ErrorDetails,
    [property: JsonPropertyName("requestUUID")] string? RequestUuid);
