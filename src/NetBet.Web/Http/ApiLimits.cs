using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.RateLimiting;

namespace NetBet.Web.Http;

/// <summary>
/// ASP.NET Core's concurrency limiter on the API: <see cref="WebLimitsOptions.MaxConcurrentRequests"/> requests run,
/// <see cref="WebLimitsOptions.QueueLength"/> wait (oldest first), and any more are turned away at once with a 429
/// ProblemDetails, so a flood queues in memory for a bounded time instead of on the database.
/// </summary>
internal static class ApiLimits
{
    public const string Policy = "api";

    public static IServiceCollection AddApiLimits(this IServiceCollection services, WebLimitsOptions limits)
    {
        ArgumentNullException.ThrowIfNull(limits);
        return services.AddRateLimiter(options =>
        {
            options.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            options.AddConcurrencyLimiter(Policy, concurrency =>
            {
                concurrency.PermitLimit = limits.MaxConcurrentRequests;
                concurrency.QueueLimit = limits.QueueLength;
                concurrency.QueueProcessingOrder = QueueProcessingOrder.OldestFirst;
            });
            options.OnRejected = WriteRejectionAsync;
        });
    }

    private static async ValueTask WriteRejectionAsync(OnRejectedContext context, CancellationToken cancellationToken)
    {
        var http = context.HttpContext;
        http.Response.Headers.RetryAfter = "1";
        var problem = new ProblemDetails
        {
            Status = StatusCodes.Status429TooManyRequests,
            Title = "Too many requests",
            Detail = "The API is serving as many requests as it allows and its queue is full; retry shortly.",
        };
        await http.RequestServices.GetRequiredService<IProblemDetailsService>()
            .TryWriteAsync(new ProblemDetailsContext { HttpContext = http, ProblemDetails = problem });
    }
}
