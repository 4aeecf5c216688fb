namespace NetBet.Web.Http;

/// <summary>
/// Checks every query and route value of an API request with <see cref="QueryParameters.TextProblem"/> before the
/// handler runs, so no route, present or future, passes a NUL, a lone surrogate or an oversized value to PostgreSQL
/// (which would answer 500). A bad value is a 400 ValidationProblem naming the parameter.
/// </summary>
internal sealed class ParameterTextFilter : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        var request = context.HttpContext.Request;
        QueryParameters? query = null;
        foreach (var (name, values) in request.Query)
        {
            foreach (var value in values)
            {
                Check(name, value);
            }
        }

        foreach (var (name, value) in request.RouteValues)
        {
            Check(name, value as string);
        }

        return query is { IsValid: false } ? query.Problem() : await next(context);

        void Check(string name, string? value)
        {
            if (value is not null && QueryParameters.TextProblem(value) is { } problem)
            {
                query ??= new QueryParameters();
                query.Reject(name, $"The value {problem}");
            }
        }
    }
}
