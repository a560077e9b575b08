using System.Diagnostics;
using System.Text.Json.Nodes;
using Microsoft.Playwright;

namespace IoTRoutes.Bench;

/// <summary>Median and worst of a set of timings, in milliseconds.</summary>
public sealed record Timings(IReadOnlyList<double> Ms)
{
    public double Median => Ms.Order().ElementAt(Ms.Count / 2);
    public double Max => Ms.Max();

    public override string ToString() => $"median {Median:N0} ms, max {Max:N0} ms ({Ms.Count} steps)";
}

public sealed record DesignerRun(int Nodes, int Links, Timings Open, Timings Drag, Timings Pan, Timings Zoom);

/// <summary>
/// Issue 16's designer figures in headless Chromium (Debian's): a large workflow opened (from navigation until the
/// designer is interactive with its nodes drawn), then a node dragged, the canvas panned and zoomed, each step timed from
/// the pointer or wheel event until the page shows its effect (the node's position, the layers' transform): the round trip
/// over the Blazor circuit that a person feels.
/// </summary>
public static class DesignerSpeed
{
    private const int Columns = 20;

    /// <summary>A trigger and <paramref name="nodes"/> − 1 Log nodes on a grid right of it; a chain through them, plus links skipping one, up to <paramref name="links"/>.</summary>
    public static JsonObject Definition(int nodes, int links)
    {
        var list = new JsonArray { new JsonObject { ["id"] = "in", ["type"] = "OnMessage", ["x"] = 0, ["y"] = 0 } };
        for (var i = 1; i < nodes; i++)
        {
            list.Add(new JsonObject
            {
                ["id"] = $"n{i}", ["type"] = "Log", ["settings"] = new JsonObject { ["message"] = $"step {i}: {{{{ temp }}}}" },
                ["x"] = 400 + i % Columns * 280, ["y"] = i / Columns * 160,
            });
        }

        string Id(int i) => i == 0 ? "in" : $"n{i}";
        var edges = new JsonArray();
        for (var i = 0; i + 1 < nodes && edges.Count < links; i++) edges.Add(new JsonObject { ["from"] = Id(i), ["to"] = Id(i + 1) });
        for (var i = 1; i + 2 < nodes && edges.Count < links; i++) edges.Add(new JsonObject { ["from"] = Id(i), ["to"] = Id(i + 2) });
        return new JsonObject { ["nodes"] = list, ["links"] = edges };
    }

    public static async Task<DesignerRun> MeasureAsync(string url, string email, string password, Guid workflowId, int nodes, int links)
    {
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new()
        {
            ExecutablePath = "/usr/bin/chromium", Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--no-first-run"],
        });
        var page = await browser.NewPageAsync(new() { ViewportSize = new() { Width = 1600, Height = 1000 } });
        await page.GotoAsync($"{url}/account/login");
        await page.Locator("#email").FillAsync(email);
        await page.Locator("#password").FillAsync(password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign out" }).WaitForAsync();

        var open = new List<double>();
        for (var i = 0; i < 6; i++)
        {
            var clock = Stopwatch.StartNew();
            await page.GotoAsync($"{url}/workflows/{workflowId}");
            await page.Locator("[data-test=designer][data-ready=true]").WaitForAsync(new() { Timeout = 60_000 });
            await page.Locator(".wf-node[data-node-id=n1]").WaitForAsync();
            if (i > 0) open.Add(clock.Elapsed.TotalMilliseconds); // the first opening also compiles the page's code
        }

        // Zoom 1, the grid's first nodes in view, so the dragged node is on screen.
        await page.Locator("[data-node-id=n1] .wf-node-title").WaitForAsync();
        var drag = await DragNodeAsync(page, "n1");
        if (Environment.GetEnvironmentVariable("DESIGNER_BENCH_SHOT") is { } shot) await page.ScreenshotAsync(new() { Path = shot });
        var pan = await PanAsync(page);
        var zoom = await ZoomAsync(page);
        return new DesignerRun(nodes, links, new(open), drag, pan, zoom);
    }

    private static async Task<Timings> DragNodeAsync(IPage page, string node)
    {
        var title = (await page.Locator($"[data-node-id={node}] .wf-node-title").BoundingBoxAsync())!;
        var (x, y) = (title.X + 10, title.Y + 8);
        await page.Mouse.MoveAsync(x, y);
        await page.Mouse.DownAsync();
        var steps = new List<double>();
        for (var i = 1; i <= 20; i++)
        {
            var before = await page.EvaluateAsync<string>($"() => document.querySelector('[data-node-id={node}]').closest('.diagram-node').style.cssText");
            var moved = page.WaitForFunctionAsync($"b => document.querySelector('[data-node-id={node}]').closest('.diagram-node').style.cssText !== b", before);
            var clock = Stopwatch.StartNew();
            await page.Mouse.MoveAsync(x + i * 12, y + i * 6);
            await moved;
            steps.Add(clock.Elapsed.TotalMilliseconds);
        }

        await page.Mouse.UpAsync();
        return new Timings(steps);
    }

    private static async Task<Timings> PanAsync(IPage page)
    {
        var canvas = (await page.Locator("[data-test=canvas]").BoundingBoxAsync())!;
        // An empty spot: the band left of the grid (it starts 400 px right of the trigger, which is shown at the top left).
        var (x, y) = (canvas.X + 20, canvas.Y + canvas.Height / 2);
        await page.Mouse.MoveAsync(x, y);
        await page.Mouse.DownAsync();
        var steps = new List<double>();
        for (var i = 1; i <= 20; i++)
        {
            steps.Add(await TimeLayerChangeAsync(page, () => page.Mouse.MoveAsync(x + i * 15, y + i * 5)));
        }

        await page.Mouse.UpAsync();
        return new Timings(steps);
    }

    private static async Task<Timings> ZoomAsync(IPage page)
    {
        var canvas = (await page.Locator("[data-test=canvas]").BoundingBoxAsync())!;
        await page.Mouse.MoveAsync(canvas.X + canvas.Width / 2, canvas.Y + canvas.Height / 2);
        var steps = new List<double>();
        for (var i = 0; i < 20; i++)
        {
            var delta = i < 10 ? 100 : -100;
            steps.Add(await TimeLayerChangeAsync(page, () => page.Mouse.WheelAsync(0, delta)));
        }

        return new Timings(steps);
    }

    private static async Task<double> TimeLayerChangeAsync(IPage page, Func<Task> act)
    {
        var before = await page.EvaluateAsync<string>("() => document.querySelector('.diagram-html-layer').style.transform");
        var changed = page.WaitForFunctionAsync("b => document.querySelector('.diagram-html-layer').style.transform !== b", before);
        var clock = Stopwatch.StartNew();
        await act();
        await changed;
        return clock.Elapsed.TotalMilliseconds;
    }
}
