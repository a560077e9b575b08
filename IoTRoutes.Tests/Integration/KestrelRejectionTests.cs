using System.Text.Json;
using IoTRoutes.Tests.Infrastructure;
using IoTRoutes.Web.Http;

namespace IoTRoutes.Tests.Integration;

/// <summary>Errors a client of /api can get from the web server itself, on real sockets: every one is a problem document.</summary>
public sealed class KestrelRejectionTests(KestrelApp app) : IClassFixture<KestrelApp>
{
    private readonly Uri _server = new(app.Started().BaseAddress);

    [Theory]
    [InlineData("/api/v1/devices%00", 400)]
    [InlineData("/api/v1/devices%00/x?y=1", 400)]
    [InlineData("/api/../x", 400)]
    [InlineData("/api/v1/%2e%2e/devices", 400)]
    [InlineData("/api/./v1/devices", 400)]
    [InlineData("http://localhost/api/../x", 400)]
    public async Task A_malformed_or_dot_segment_api_path_gets_problem_details(string target, int status)
    {
        var answer = await RawHttp.ExchangeAsync(_server, RawHttp.Get(target));

        AssertProblem(answer, status);
    }

    [Fact]
    public async Task An_over_long_url_gets_414_problem_details()
    {
        var answer = await RawHttp.ExchangeAsync(_server, RawHttp.Get("/api/v1/" + new string('a', KestrelLimits.MaxRequestLineSize)));

        Assert.Contains("8192 bytes", AssertProblem(answer, 414).GetProperty("detail").GetString());
    }

    [Fact]
    public async Task Over_large_headers_get_431_problem_details()
    {
        var answer = await RawHttp.ExchangeAsync(_server, RawHttp.Get("/api/v1/devices", $"X-Big: {new string('a', KestrelLimits.MaxRequestHeadersTotalSize)}\r\n"));

        AssertProblem(answer, 431);
    }

    [Fact]
    public async Task A_rejected_request_after_a_good_one_on_the_same_connection_leaves_the_good_answer_as_it_was()
    {
        var answer = await RawHttp.ExchangeAsync(_server,
            "GET /health HTTP/1.1\r\nHost: localhost\r\n\r\n" + RawHttp.Get("/api/v1/x%00"));

        var second = answer.IndexOf("HTTP/1.1 400", StringComparison.Ordinal);
        Assert.StartsWith("HTTP/1.1 200 OK", answer);
        Assert.Contains("\"status\":\"Healthy\"", answer[..second]);
        AssertProblem(answer[second..], 400);
    }

    [Fact]
    public void Only_a_bodiless_closing_error_response_is_rewritten()
    {
        Assert.Null(RejectionProblem.Rewrite("HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n"u8));
        Assert.Null(RejectionProblem.Rewrite("HTTP/1.1 400 Bad Request\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}"u8));
        Assert.Null(RejectionProblem.Rewrite("HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"u8));
        Assert.Null(RejectionProblem.Rewrite([0, 0, 4, 1, 0, 0, 0, 0, 0]));
        Assert.NotNull(RejectionProblem.Rewrite("HTTP/1.1 408 Request Timeout\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"u8));
    }

    private static JsonElement AssertProblem(string answer, int status)
    {
        var split = answer.IndexOf("\r\n\r\n", StringComparison.Ordinal);
        Assert.True(split > 0, answer);
        var head = answer[..split];
        Assert.StartsWith($"HTTP/1.1 {status} ", head);
        Assert.Contains("Content-Type: application/problem+json", head);
        var body = answer[(split + 4)..];
        var problem = JsonDocument.Parse(head.Contains("Transfer-Encoding: chunked") ? Dechunk(body) : body).RootElement;
        Assert.Equal(status, problem.GetProperty("status").GetInt32());
        Assert.False(string.IsNullOrEmpty(problem.GetProperty("title").GetString()));
        return problem;
    }

    private static string Dechunk(string body)
    {
        var text = new System.Text.StringBuilder();
        for (var at = 0; ;)
        {
            var lineEnd = body.IndexOf("\r\n", at, StringComparison.Ordinal);
            var size = Convert.ToInt32(body[at..lineEnd], 16);
            if (size == 0) return text.ToString();
            text.Append(body, lineEnd + 2, size);
            at = lineEnd + 2 + size + 2;
        }
    }
}
