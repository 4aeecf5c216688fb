namespace NetBet.Ingest.Betfair;

/// <summary>
/// Where and how to reach Betfair API-NG. Secrets come from the environment or files, never from arguments or
/// settings files; <see cref="ToString"/> never shows them.
/// </summary>
public sealed class BetfairOptions
{
    /// <summary>Betfair's interactive login host.</summary>
    public static readonly Uri DefaultIdentityUrl = new("https://identitysso.betfair.com/api/");

    /// <summary>Betfair's non-interactive (certificate) login host.</summary>
    public static readonly Uri DefaultCertificateIdentityUrl = new("https://identitysso-cert.betfair.com/api/");

    /// <summary>Betfair's JSON REST betting endpoint.</summary>
    public static readonly Uri DefaultBettingUrl = new("https://api.betfair.com/exchange/betting/rest/v1.0/");

    /// <summary>Application key sent as <c>X-Application</c> (<c>NETBET_BETFAIR_APP_KEY</c>).</summary>
    public string? AppKey { get; set; }

    /// <summary>Account username (<c>NETBET_BETFAIR_USERNAME</c>).</summary>
    public string? Username { get; set; }

    /// <summary>Account password (<c>NETBET_BETFAIR_PASSWORD</c>).</summary>
    public string? Password { get; set; }

    /// <summary>PEM client certificate for non-interactive login (<c>NETBET_BETFAIR_CERT</c>).</summary>
    public string? CertificatePath { get; set; }

    /// <summary>PEM private key of <see cref="CertificatePath"/> (<c>NETBET_BETFAIR_KEY</c>).</summary>
    public string? KeyPath { get; set; }

    /// <summary>Base of <c>login</c>, <c>keepAlive</c> and <c>logout</c>.</summary>
    public Uri IdentityUrl { get; set; } = DefaultIdentityUrl;

    /// <summary>Base of <c>certlogin</c>.</summary>
    public Uri CertificateIdentityUrl { get; set; } = DefaultCertificateIdentityUrl;

    /// <summary>Base of the betting operations (<c>listMarketCatalogue/</c>, <c>listMarketBook/</c>).</summary>
    public Uri BettingUrl { get; set; } = DefaultBettingUrl;

    /// <summary>Attempts per request for network errors, timeouts and 5xx answers (first try included).</summary>
    public int MaxAttempts { get; set; } = 4;

    /// <summary>First retry delay; each further retry doubles it, with full jitter.</summary>
    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>Longest single retry delay.</summary>
    public TimeSpan RetryMaxDelay { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Time allowed for one HTTP request.</summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(20);

    /// <summary>True when a client certificate and key are configured: login goes through <c>certlogin</c>.</summary>
    public bool UsesCertificateLogin => !string.IsNullOrEmpty(CertificatePath) && !string.IsNullOrEmpty(KeyPath);

    /// <summary>Reads the <c>NETBET_BETFAIR_*</c> variables.</summary>
    /// <param name="environment">Variable lookup; <see cref="Environment.GetEnvironmentVariable(string)"/> when null.</param>
    public static BetfairOptions FromEnvironment(Func<string, string?>? environment = null)
    {
        environment ??= Environment.GetEnvironmentVariable;
        return new BetfairOptions
        {
            AppKey = NullIfEmpty(environment("NETBET_BETFAIR_APP_KEY")),
            Username = NullIfEmpty(environment("NETBET_BETFAIR_USERNAME")),
            Password = NullIfEmpty(environment("NETBET_BETFAIR_PASSWORD")),
            CertificatePath = NullIfEmpty(environment("NETBET_BETFAIR_CERT")),
            KeyPath = NullIfEmpty(environment("NETBET_BETFAIR_KEY")),
        };
    }

    /// <summary>
    /// Points identity and betting at one server laid out like Betfair's (<c>{endpoint}/api/...</c> and
    /// <c>{endpoint}/exchange/betting/rest/v1.0/...</c>), such as <c>netbet exchange simulate</c>.
    /// </summary>
    /// <param name="endpoint">Base URL of the server.</param>
    public BetfairOptions UseEndpoint(Uri endpoint)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        var root = endpoint.AbsoluteUri.EndsWith('/') ? endpoint : new Uri(endpoint.AbsoluteUri + "/");
        IdentityUrl = new Uri(root, "api/");
        CertificateIdentityUrl = IdentityUrl;
        BettingUrl = new Uri(root, "exchange/betting/rest/v1.0/");
        return this;
    }

    /// <summary>
    /// Fills in placeholder credentials when none of the three is set: a simulator accepts any, and real ones are
    /// never needed to try it out. Credentials that are partly set stay as they are, so the gap is reported.
    /// </summary>
    public BetfairOptions UsePlaceholderCredentialsIfUnset()
    {
        if (AppKey is null && Username is null && Password is null)
        {
            (AppKey, Username, Password) = ("netbet-simulator", "simulator", "simulator");
        }

        return this;
    }

    /// <summary>
    /// Why these credentials cannot be used (missing variables, half a certificate pair, an unreadable file),
    /// naming the variables; null when they are complete. Never shows a secret.
    /// </summary>
    public string? CredentialProblem()
    {
        var missing = new[] { ("NETBET_BETFAIR_APP_KEY", AppKey), ("NETBET_BETFAIR_USERNAME", Username), ("NETBET_BETFAIR_PASSWORD", Password) }
            .Where(v => v.Item2 is null).Select(v => v.Item1).ToList();
        if (missing.Count > 0)
        {
            return $"Betfair credentials missing: set {string.Join(", ", missing)} (or pass --endpoint for a simulator)";
        }

        if ((CertificatePath is null) != (KeyPath is null))
        {
            return "certificate login needs both NETBET_BETFAIR_CERT and NETBET_BETFAIR_KEY";
        }

        foreach (var path in new[] { CertificatePath, KeyPath })
        {
            if (path is not null && !File.Exists(path))
            {
                return $"cannot read {path} (NETBET_BETFAIR_CERT / NETBET_BETFAIR_KEY)";
            }
        }

        return null;
    }

    /// <summary>
    /// Why the credentials must not be sent to these endpoints, or null: only <c>https://</c> endpoints, or
    /// <c>http://</c> on a loopback address (a local simulator), ever see them.
    /// </summary>
    public string? EndpointProblem()
    {
        foreach (var url in new[] { IdentityUrl, CertificateIdentityUrl, BettingUrl })
        {
            if (url.Scheme != Uri.UriSchemeHttps && !(url.Scheme == Uri.UriSchemeHttp && url.IsLoopback))
            {
                return $"refusing to send Betfair credentials to {url.GetLeftPart(UriPartial.Authority)}: " +
                    "only https:// endpoints, or http:// on a loopback address (127.0.0.1, ::1, localhost)";
            }
        }

        return null;
    }

    /// <summary>Endpoints and which credentials are present; never the credentials themselves.</summary>
    public override string ToString() =>
        $"BetfairOptions {{ IdentityUrl = {IdentityUrl}, BettingUrl = {BettingUrl}, AppKey = {Mask(AppKey)}, " +
        $"Username = {Mask(Username)}, Password = {Mask(Password)}, CertificateLogin = {UsesCertificateLogin} }}";

    private static string Mask(string? secret) => string.IsNullOrEmpty(secret) ? "(unset)" : "(set)";

    private static string? NullIfEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value;
}
