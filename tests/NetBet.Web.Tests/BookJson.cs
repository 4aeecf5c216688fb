using System.Globalization;
using System.Text;

namespace NetBet.Web.Tests;

/// <summary>Builds listMarketBook MarketBook JSON for seeding: three runners, each with its own back and lay ladder.</summary>
internal static class BookJson
{
    public sealed record Runner(long SelectionId, (double Price, double Size)[] Back, (double Price, double Size)[] Lay);

    public static string Create(string marketId, bool inplay, string status, double totalMatched, params Runner[] runners)
    {
        var json = new StringBuilder();
        json.Append(CultureInfo.InvariantCulture, $$"""{"marketId":"{{marketId}}","status":"{{status}}","inplay":{{(inplay ? "true" : "false")}},"totalMatched":{{Num(totalMatched)}},"runners":[""");
        for (var i = 0; i < runners.Length; i++)
        {
            var r = runners[i];
            json.Append(i == 0 ? "" : ",");
            json.Append(CultureInfo.InvariantCulture, $$"""{"selectionId":{{r.SelectionId}},"status":"ACTIVE","ex":{"availableToBack":[{{Levels(r.Back)}}],"availableToLay":[{{Levels(r.Lay)}}]""");
            json.Append("}}");
        }

        return json.Append("]}").ToString();
    }

    private static string Levels((double Price, double Size)[] levels) =>
        string.Join(",", levels.Select(l => $$"""{"price":{{Num(l.Price)}},"size":{{Num(l.Size)}}}"""));

    private static string Num(double value) => value.ToString("R", CultureInfo.InvariantCulture);
}
