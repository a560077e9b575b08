using System.Diagnostics;
using System.Net;
using System.Text.RegularExpressions;

namespace IoTRoutes.Bench;

/// <summary>
/// The UI under load: signs in through the login form like a browser, then keeps requesting the Messages, Devices and
/// Brokers pages while the publishers run, and times each full server render (Blazor prerenders the page with its data).
/// </summary>
public sealed partial class PageProbe(string url, string email, string password) : IDisposable
{
    private static readonly string[] Pages = ["/messages", "/devices", "/brokers"];
    private readonly HttpClient _http = new(new HttpClientHandler { CookieContainer = new CookieContainer(), AllowAutoRedirect = false })
    {
        BaseAddress = new Uri(url), Timeout = TimeSpan.FromSeconds(30),
    };

    public async Task SignInAsync()
    {
        var form = await _http.GetStringAsync("/account/login");
        var token = AntiforgeryToken().Match(form) is { Success: true } m ? m.Groups[1].Value : throw new InvalidOperationException("No antiforgery token on the login page.");
        var response = await _http.PostAsync("/account/login", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["_handler"] = "login", ["__RequestVerificationToken"] = token, ["Input.Email"] = email, ["Input.Password"] = password,
        }));
        if (response.StatusCode != HttpStatusCode.Redirect)
        {
            throw new InvalidOperationException($"Signing in to the UI failed: {(int)response.StatusCode}.");
        }
    }

    /// <summary>Renders every page twice, unmeasured: the first render of a page compiles its code.</summary>
    public async Task WarmUpAsync()
    {
        foreach (var page in Pages.Concat(Pages))
        {
            (await _http.GetAsync(page)).EnsureSuccessStatusCode();
        }
    }

    /// <summary>Requests the pages in turn until <paramref name="stop"/>; returns each render's time in milliseconds.</summary>
    public async Task<List<(string Page, double Ms, bool Ok)>> RunAsync(CancellationToken stop)
    {
        var renders = new List<(string, double, bool)>();
        for (var i = 0; !stop.IsCancellationRequested; i++)
        {
            var page = Pages[i % Pages.Length];
            var clock = Stopwatch.StartNew();
            bool ok;
            try
            {
                using var response = await _http.GetAsync(page, CancellationToken.None);
                var html = await response.Content.ReadAsStringAsync(CancellationToken.None);
                ok = response.IsSuccessStatusCode && html.Contains("</html>", StringComparison.Ordinal);
            }
            catch (HttpRequestException)
            {
                ok = false;
            }

            renders.Add((page, clock.Elapsed.TotalMilliseconds, ok));
            try
            {
                await Task.Delay(300, stop); // an operator clicking through (the warm-up now lasts only seconds), not a load generator
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }

        return renders;
    }

    public void Dispose() => _http.Dispose();

    [GeneratedRegex("name=\"__RequestVerificationToken\" value=\"([^\"]+)\"")]
    private static partial Regex AntiforgeryToken();
}
