using System.Net.Http.Json;
using System.Text.Json.Nodes;
using IoTRoutes.Core.Jobs;
using IoTRoutes.Core.Workflows.Runner;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using static IoTRoutes.Tests.Integration.Jobs.ManualJobsTests;

namespace IoTRoutes.Tests.Integration.Jobs;

/// <summary>
/// Schedule jobs: the dispatcher driven with a clock the test moves (years ahead, so nothing else is due), the queued
/// runs run by the app's own job runner.
/// </summary>
public sealed class ScheduledJobsTests(JobsApp app) : IClassFixture<JobsApp>
{
    private readonly JobsApp _app = (JobsApp)app.Started();
    private static readonly DateTimeOffset Morning = new(2031, 5, 12, 6, 59, 30, TimeSpan.Zero); // a Monday

    private const string NotifyNode = """{"id":"then","type":"Notify","settings":{"to":"ops"}}""";
    private const string DelayNode = """{"id":"then","type":"Delay","settings":{"duration":"10m"}}""";

    private static string Scheduled(string cron, string missed = "Skip", string then = "Notify", string zone = "UTC") =>
        "{\"nodes\":[{\"id\":\"when\",\"type\":\"Schedule\",\"settings\":{\"cron\":\"" + cron + "\",\"timeZone\":\"" + zone + "\",\"missed\":\"" + missed + "\"}},"
        + (then == "Notify" ? NotifyNode : DelayNode) + "],\"links\":[{\"from\":\"when\",\"to\":\"then\"}]}";

    [Fact]
    public async Task An_occurrence_is_queued_once_when_due_even_with_two_dispatchers_and_run_by_the_job_runner()
    {
        using var api = await _app.CreateAuthenticatedClientAsync();
        // 09:00 in Paris is 07:00 UTC in May: the row, stored in UTC, is due then.
        var id = await PublishedAsync(api, "Morning report", Scheduled("0 9 * * *", zone: "Europe/Paris"));
        var clock = new FakeTimeProvider(Morning);
        var (one, two) = (Dispatcher(clock), Dispatcher(clock));

        await one.DispatchAsync(default);
        Assert.Equal(Morning.Date.AddHours(7), (await ScheduleAsync(id))!.NextAt!.Value.UtcDateTime);
        Assert.Empty(await RunsAsync(api, id));

        clock.Advance(TimeSpan.FromSeconds(31));
        await Task.WhenAll(one.DispatchAsync(default), two.DispatchAsync(default));

        var run = await _app.EventuallyAsync(async () => (await RunsAsync(api, id)).FirstOrDefault(r => r!["status"]!.GetValue<string>() == "Succeeded"), "the planned run");
        Assert.Single(await RunsAsync(api, id));
        Assert.Equal(("Schedule", "schedule"), (run!["trigger"]!.GetValue<string>(), run["requestedBy"]!.GetValue<string>()));
        Assert.Equal(Morning.Date.AddHours(7), run["scheduledFor"]!.GetValue<DateTimeOffset>().UtcDateTime);
        Assert.Equal(Morning.Date.AddDays(1).AddHours(7), (await ScheduleAsync(id))!.NextAt!.Value.UtcDateTime);
        var job = (await api.GetFromJsonAsync<JsonObject>($"/api/v1/jobs/{id}"))!;
        Assert.Equal("every day at 09:00, Europe/Paris", job["schedule"]!.GetValue<string>());
        var next = job["nextRuns"]![0]!.GetValue<DateTimeOffset>();
        Assert.Equal((Morning.Date.AddDays(1).AddHours(7), TimeSpan.FromHours(2)), (next.UtcDateTime, next.Offset)); // shown in the job's zone
    }

    [Fact]
    public async Task An_occurrence_due_while_the_previous_run_is_still_going_is_recorded_as_skipped()
    {
        using var api = await _app.CreateAuthenticatedClientAsync();
        var id = await PublishedAsync(api, "Slow every minute", Scheduled("* * * * *", then: "Delay"));
        var clock = new FakeTimeProvider(Morning);
        var dispatcher = Dispatcher(clock);
        await dispatcher.DispatchAsync(default);
        clock.Advance(TimeSpan.FromSeconds(31));
        await dispatcher.DispatchAsync(default);
        var first = await _app.EventuallyAsync(async () => (await RunsAsync(api, id)).FirstOrDefault(r => r!["status"]!.GetValue<string>() == "Running"), "the first run going");

        clock.Advance(TimeSpan.FromMinutes(1));
        await dispatcher.DispatchAsync(default);

        var runs = await RunsAsync(api, id);
        var skipped = runs.Single(r => r!["status"]!.GetValue<string>() == "Skipped")!;
        Assert.Equal("The previous run was still going.", skipped["error"]!.GetValue<string>());
        Assert.Equal(Morning.Date.AddHours(7).AddMinutes(1), skipped["scheduledFor"]!.GetValue<DateTimeOffset>().UtcDateTime);
        await api.PostAsync($"/api/v1/runs/{first!["id"]}/cancel", null);
    }

    [Theory]
    [InlineData("RunOnce")]
    [InlineData("Skip")]
    public async Task Occurrences_missed_while_down_become_one_run_or_one_skipped_record_as_the_job_says(string missed)
    {
        using var api = await _app.CreateAuthenticatedClientAsync();
        var id = await PublishedAsync(api, $"Hourly {missed}", Scheduled("0 * * * *", missed));
        var clock = new FakeTimeProvider(Morning);
        await Dispatcher(clock).DispatchAsync(default); // next: 07:00

        clock.Advance(TimeSpan.FromHours(3)); // down from before 07:00 to 09:59:30: 07:00, 08:00 and 09:00 missed
        await Dispatcher(clock).DispatchAsync(default);

        var run = Assert.Single(await RunsAsync(api, id))!;
        Assert.Equal(Morning.Date.AddHours(9), run["scheduledFor"]!.GetValue<DateTimeOffset>().UtcDateTime);
        Assert.Equal(3, run["parameters"]!["occurrences"]!.GetValue<int>());
        if (missed == "Skip")
        {
            Assert.Equal("Skipped", run["status"]!.GetValue<string>());
            Assert.Contains("Missed while IoTRoutes was down (3 occurrences", run["error"]!.GetValue<string>());
        }
        else
        {
            await _app.EventuallyAsync(async () => (await RunsAsync(api, id)).FirstOrDefault(r => r!["status"]!.GetValue<string>() == "Succeeded"), "the one catch-up run");
        }

        Assert.Equal(Morning.Date.AddHours(10), (await ScheduleAsync(id))!.NextAt!.Value.UtcDateTime);
    }

    [Fact]
    public async Task Disabling_publishing_and_enabling_apply_at_the_next_dispatch_without_a_restart()
    {
        using var api = await _app.CreateAuthenticatedClientAsync();
        var id = await PublishedAsync(api, "Changing", Scheduled("0 7 * * *"));
        var clock = new FakeTimeProvider(Morning);
        var dispatcher = Dispatcher(clock);
        await dispatcher.DispatchAsync(default);
        Assert.NotNull(await ScheduleAsync(id));

        await api.PostAsync($"/api/v1/workflows/{id}/disable", null);
        await dispatcher.DispatchAsync(default);
        Assert.Null(await ScheduleAsync(id));
        Assert.Empty((await api.GetFromJsonAsync<JsonObject>($"/api/v1/jobs/{id}"))!["nextRuns"]!.AsArray());

        await api.PostAsync($"/api/v1/workflows/{id}/enable", null);
        var draft = (await api.GetFromJsonAsync<JsonObject>($"/api/v1/workflows/{id}"))!;
        var saved = await api.PutAsJsonAsync($"/api/v1/workflows/{id}", new
        {
            revision = draft["revision"]!.GetValue<int>(), definition = JsonNode.Parse(Scheduled("30 12 * * *")),
        });
        Assert.True(saved.IsSuccessStatusCode, await saved.Content.ReadAsStringAsync());
        await api.PostAsJsonAsync($"/api/v1/workflows/{id}/publish", new { });
        await dispatcher.DispatchAsync(default);

        var row = (await ScheduleAsync(id))!;
        Assert.Equal((2, Morning.Date.AddHours(12).AddMinutes(30)), (row.Version, row.NextAt!.Value.UtcDateTime));
    }

    private ScheduleDispatcher Dispatcher(TimeProvider clock) => new(
        _app.Services.GetRequiredService<IDbContextFactory<IoTRoutes.Core.Storage.AppDbContext>>(), _app.Services.GetRequiredService<WorkflowRunner>(),
        _app.Services.GetRequiredService<JobRunner>(), clock, NullLogger<ScheduleDispatcher>.Instance);

    private async Task<JobSchedule?> ScheduleAsync(Guid id)
    {
        await using var db = await _app.CreateDbContextAsync();
        return await db.JobSchedules.AsNoTracking().SingleOrDefaultAsync(s => s.WorkflowId == id);
    }

    private static async Task<JsonArray> RunsAsync(HttpClient api, Guid id) => (await api.GetFromJsonAsync<JsonArray>($"/api/v1/jobs/{id}/runs"))!;
}
