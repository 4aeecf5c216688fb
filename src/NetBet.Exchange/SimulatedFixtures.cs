namespace NetBet.Exchange;

/// <summary>A football competition of the simulated exchange.</summary>
internal sealed record SimulatedCompetition(string Id, string Name, string CountryCode, string Timezone, double Popularity,
    IReadOnlyList<SimulatedTeam> Teams);

/// <summary>A team: its runner name, its selection id (stable across markets, as on Betfair) and a strength in [0, 1].</summary>
internal sealed record SimulatedTeam(string Name, long SelectionId, double Strength);

/// <summary>One simulated football MATCH_ODDS market.</summary>
internal sealed record SimulatedMarket(
    int Index,
    string MarketId,
    string EventId,
    SimulatedCompetition Competition,
    SimulatedTeam Home,
    SimulatedTeam Away,
    DateTimeOffset KickOff,
    double HomeGoalRate,
    double AwayGoalRate)
{
    /// <summary>Selection id of "The Draw" in every football MATCH_ODDS market.</summary>
    public const long DrawSelectionId = 58805;

    /// <summary>Betfair's event name convention, "Home v Away".</summary>
    public string EventName => $"{Home.Name} v {Away.Name}";

    /// <summary>Kick-off + 2 h: the market is CLOSED from then on.</summary>
    public DateTimeOffset ClosesAt => KickOff + MarketModel.CloseAfterKickOff;
}

/// <summary>The fixed cast of the simulated exchange: six leagues with ten teams each.</summary>
internal static class SimulatedFixtures
{
    public static IReadOnlyList<SimulatedCompetition> Competitions { get; } =
    [
        League("10932509", "English Premier League", "GB", "Europe/London", 1.6,
            ("Arsenal", 1096), ("Man City", 47999), ("Liverpool", 56323), ("Chelsea", 55190), ("Tottenham", 48224),
            ("Man Utd", 48351), ("Newcastle", 56343), ("Aston Villa", 48044), ("Brighton", 18567), ("West Ham", 48756)),
        League("117", "Spanish La Liga", "ES", "Europe/Madrid", 1.2,
            ("Real Madrid", 58836), ("Barcelona", 58870), ("Atletico Madrid", 58815), ("Sevilla", 58874),
            ("Real Sociedad", 58860), ("Villarreal", 58902), ("Betis", 58831), ("Valencia", 58894),
            ("Athletic Bilbao", 58821), ("Girona", 72395)),
        League("59", "German Bundesliga", "DE", "Europe/Berlin", 1.1,
            ("Bayern Munich", 44518), ("Dortmund", 44505), ("RB Leipzig", 7637963), ("Leverkusen", 44509),
            ("Stuttgart", 44525), ("Eintracht Frankfurt", 44507), ("Wolfsburg", 44527), ("Freiburg", 44508),
            ("Hoffenheim", 228456), ("Union Berlin", 44512)),
        League("81", "Italian Serie A", "IT", "Europe/Rome", 1.0,
            ("Inter", 55304), ("AC Milan", 55307), ("Juventus", 55305), ("Napoli", 55309), ("Roma", 55311),
            ("Lazio", 55306), ("Atalanta", 55300), ("Fiorentina", 55303), ("Bologna", 55301), ("Torino", 55314)),
        League("55", "French Ligue 1", "FR", "Europe/Paris", 0.8,
            ("Paris St-G", 55246), ("Marseille", 55242), ("Monaco", 55243), ("Lyon", 55241), ("Lille", 55240),
            ("Lens", 55239), ("Rennes", 55249), ("Nice", 55245), ("Nantes", 55244), ("Strasbourg", 55252)),
        League("9404054", "Dutch Eredivisie", "NL", "Europe/Amsterdam", 0.6,
            ("PSV", 1456), ("Ajax", 1437), ("Feyenoord", 1449), ("AZ Alkmaar", 1444), ("Twente", 1464),
            ("Utrecht", 1466), ("Heerenveen", 1451), ("Sparta Rotterdam", 1461), ("NEC Nijmegen", 1457),
            ("Go Ahead Eagles", 1450)),
    ];

    /// <summary>
    /// Builds <paramref name="count"/> markets: leagues in turn, kick-offs on the quarter hour from about an hour
    /// before <paramref name="start"/> to about seven hours after it, goal rates from the teams' strengths.
    /// </summary>
    public static IReadOnlyList<SimulatedMarket> Create(int count, int seed, DateTimeOffset start)
    {
        var markets = new List<SimulatedMarket>(count);
        var anchor = FloorToQuarterHour(start);
        for (var i = 0; i < count; i++)
        {
            var competition = Competitions[i % Competitions.Count];
            var round = i / Competitions.Count;
            var teams = competition.Teams;
            // Pairings rotate with the round so that later rounds are not repeats of the first.
            var homeIndex = Mod((2 * round) + seed, teams.Count);
            var awayIndex = Mod((2 * round) + 1 + (round / (teams.Count / 2)) + seed, teams.Count);
            if (awayIndex == homeIndex)
            {
                awayIndex = (awayIndex + 1) % teams.Count;
            }

            var home = teams[homeIndex];
            var away = teams[awayIndex];
            var spreadMinutes = 480.0 * i / Math.Max(1, count);
            var kickOff = FloorToQuarterHour(anchor.AddMinutes(-60 + spreadMinutes));
            var random = new SplitMix(seed, i, -1);
            var edge = home.Strength - away.Strength + 0.1 + (random.NextDouble() - 0.5) * 0.3;
            markets.Add(new SimulatedMarket(
                i,
                $"1.{240_000_000 + (i * 37) + 11}",
                $"{34_800_000 + (i * 3)}",
                competition,
                home,
                away,
                kickOff,
                HomeGoalRate: 1.35 * Math.Exp(edge * 0.9),
                AwayGoalRate: 1.15 * Math.Exp(-edge * 0.9)));
        }

        return markets;
    }

    private static int Mod(int value, int modulus) => ((value % modulus) + modulus) % modulus;

    private static DateTimeOffset FloorToQuarterHour(DateTimeOffset time)
    {
        var utc = time.ToUniversalTime();
        var quarter = TimeSpan.FromMinutes(15).Ticks;
        return new DateTimeOffset(utc.Ticks - (utc.Ticks % quarter), TimeSpan.Zero);
    }

    private static SimulatedCompetition League(string id, string name, string country, string timezone, double popularity,
        params (string Name, long SelectionId)[] teams) =>
        new(id, name, country, timezone, popularity,
            [.. teams.Select((t, i) => new SimulatedTeam(t.Name, t.SelectionId, 1.0 - (i / (double)teams.Length)))]);
}

/// <summary>
/// A tiny deterministic generator (SplitMix64) keyed by (seed, market, minute): the same key gives the same numbers
/// in every process, so a simulated book depends only on the seed, the start and the clock.
/// </summary>
internal struct SplitMix
{
    private ulong _state;

    public SplitMix(int seed, int market, long minute)
    {
        _state = unchecked(((ulong)(uint)seed * 0x9E3779B97F4A7C15UL) ^ ((ulong)(uint)market << 32) ^ (ulong)minute);
        _ = Next();
    }

    public ulong Next()
    {
        unchecked
        {
            var z = _state += 0x9E3779B97F4A7C15UL;
            z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
            z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
            return z ^ (z >> 31);
        }
    }

    /// <summary>Uniform in [0, 1).</summary>
    public double NextDouble() => (Next() >> 11) * (1.0 / (1UL << 53));

    /// <summary>Uniform integer in [min, max].</summary>
    public int Next(int min, int max) => min + (int)(NextDouble() * (max - min + 1));

    /// <summary>Standard normal (Box-Muller).</summary>
    public double NextGaussian()
    {
        var u1 = 1.0 - NextDouble();
        var u2 = NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2);
    }
}
