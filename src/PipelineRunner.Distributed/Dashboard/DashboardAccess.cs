using System.Text;
using Microsoft.AspNetCore.Http;
using PipelineRunner.Distributed.Scheduling;

namespace PipelineRunner.Distributed.Dashboard;

/// <summary>
/// Guards every dashboard page, asset and stream with the scheduler's access token, when it has one: the token is
/// accepted as <c>authorization: Bearer TOKEN</c>, as the HttpOnly cookie this filter sets, or once as
/// <c>?token=TOKEN</c> (which sets the cookie, so the page's own requests carry it). Anything else gets 401 and no data.
/// </summary>
internal sealed class DashboardAccess(SchedulerOptions options) : IEndpointFilter
{
    /// <summary>The cookie holding the token after a <c>?token=</c> visit.</summary>
    public const string CookieName = "pipelinerunner_dashboard";

    private readonly byte[]? _expected = options.AccessToken is { } token ? Encoding.UTF8.GetBytes(token) : null;

    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        if (_expected is null)
        {
            return await next(context).ConfigureAwait(false);
        }

        var http = context.HttpContext;
        var header = http.Request.Headers.Authorization.ToString();
        const string Scheme = "Bearer ";
        if (header.StartsWith(Scheme, StringComparison.Ordinal) && AccessTokenInterceptor.Matches(header[Scheme.Length..], _expected))
        {
            return await next(context).ConfigureAwait(false);
        }

        if (AccessTokenInterceptor.Matches(http.Request.Cookies[CookieName], _expected))
        {
            return await next(context).ConfigureAwait(false);
        }

        if (AccessTokenInterceptor.Matches(http.Request.Query["token"].ToString() is { Length: > 0 } query ? query : null, _expected))
        {
            http.Response.Cookies.Append(CookieName, Encoding.UTF8.GetString(_expected), new CookieOptions
            {
                HttpOnly = true,
                SameSite = SameSiteMode.Strict,
                Secure = http.Request.IsHttps,
                Path = "/",
            });
            return await next(context).ConfigureAwait(false);
        }

        return Results.Text(
            "The scheduler's dashboard requires its access token: open it with ?token=TOKEN once, or send 'authorization: Bearer TOKEN'.",
            "text/plain",
            statusCode: StatusCodes.Status401Unauthorized);
    }
}
