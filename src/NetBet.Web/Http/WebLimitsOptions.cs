using System.ComponentModel.DataAnnotations;

namespace NetBet.Web.Http;

/// <summary>
/// How much of the database the web app may take (configuration section <c>Web</c>, e.g. the environment variable
/// <c>Web__StatementTimeoutSeconds=5</c>). The defaults keep API traffic, however heavy, from taking the connections
/// and CPU the recorder needs: a handful of pooled connections against PostgreSQL's default of 100, one request per
/// connection, and no statement running longer than 10 s.
/// </summary>
internal sealed class WebLimitsOptions
{
    public const string Section = "Web";

    /// <summary>PostgreSQL <c>statement_timeout</c> of every web query; a query cut off answers 503.</summary>
    [Range(0.001, 3600)]
    public double StatementTimeoutSeconds { get; set; } = 10;

    /// <summary>Npgsql <c>Maximum Pool Size</c> of the web app (lowered, never raised, from the connection string's).</summary>
    [Range(1, 1000)]
    public int MaxPoolSize { get; set; } = 10;

    /// <summary>API requests served at once; more wait in the queue.</summary>
    [Range(1, 1000)]
    public int MaxConcurrentRequests { get; set; } = 10;

    /// <summary>API requests waiting for a turn; one more answers 429.</summary>
    [Range(0, 100_000)]
    public int QueueLength { get; set; } = 100;

    /// <summary>Binds and validates the section, failing at startup (not on the first request) on a bad value.</summary>
    public static WebLimitsOptions Read(IConfiguration configuration)
    {
        var options = configuration.GetSection(Section).Get<WebLimitsOptions>() ?? new WebLimitsOptions();
        var results = new List<ValidationResult>();
        if (!Validator.TryValidateObject(options, new ValidationContext(options), results, validateAllProperties: true))
        {
            throw new InvalidOperationException(
                $"Invalid configuration section '{Section}': {string.Join("; ", results.Select(r => $"{string.Join(",", r.MemberNames)}: {r.ErrorMessage}"))}");
        }

        return options;
    }
}
