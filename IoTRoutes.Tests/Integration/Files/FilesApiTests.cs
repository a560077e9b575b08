using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using IoTRoutes.Core.Files;
using IoTRoutes.Core.Security.Audit;
using IoTRoutes.Core.Security.Permissions;
using IoTRoutes.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace IoTRoutes.Tests.Integration.Files;

public sealed record FileBody(
    Guid Id, string Name, string ContentType, long Size, string Sha256, string Kind, Guid EntityId, string EntityName,
    DateTimeOffset CreatedAt, string CreatedBy, Guid? DeviceId, string? DeviceName, Guid? MessageId);

public sealed record FilePageBody(List<FileBody> Items, Guid? NextCursor);

/// <summary>
/// Files over the REST API on a real SQLite app: bytes go in and come back the same, land under the data folder by id
/// only, are seen by their entity alone, are refused when they lie about their type, and are audited.
/// </summary>
public sealed class FilesApiTests(SqliteApp app) : IClassFixture<SqliteApp>
{
    internal static readonly byte[] PngBytes = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13, (byte)'I', (byte)'H', (byte)'D', (byte)'R', 1, 2, 3, 4];

    private readonly IoTRoutesApp _app = app.Started();

    [Fact]
    public async Task An_uploaded_file_is_listed_and_downloads_as_the_same_bytes_under_its_name_and_sniffed_type()
    {
        using var api = await _app.CreateAuthenticatedClientAsync();
        var bytes = PngBytes.Concat(RandomNumberGenerator.GetBytes(100_000)).ToArray();

        var upload = await UploadAsync(api, bytes, "plan of site 3.png", "image/png");

        Assert.Equal(HttpStatusCode.Created, upload.StatusCode);
        var created = (await upload.Content.ReadFromJsonAsync<FileBody>())!;
        Assert.Equal(("plan of site 3.png", "image/png", (long)bytes.Length, "Upload", IoTRoutesApp.AdminEmail),
            (created.Name, created.ContentType, created.Size, created.Kind, created.CreatedBy));
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(bytes)), created.Sha256);
        Assert.Equal($"/api/v1/files/{created.Id}", upload.Headers.Location?.OriginalString);

        var listed = (await api.GetFromJsonAsync<FilePageBody>("/api/v1/files?name=SITE 3"))!;
        Assert.Equal([created.Id], listed.Items.Select(f => f.Id));
        Assert.Equal(created, (await api.GetFromJsonAsync<FileBody>($"/api/v1/files/{created.Id}/info"))!);

        var download = await api.GetAsync($"/api/v1/files/{created.Id}");
        Assert.Equal(HttpStatusCode.OK, download.StatusCode);
        Assert.Equal("image/png", download.Content.Headers.ContentType?.MediaType);
        Assert.Equal("attachment", download.Content.Headers.ContentDisposition?.DispositionType);
        Assert.Equal("plan of site 3.png", download.Content.Headers.ContentDisposition?.FileNameStar);
        Assert.Equal("nosniff", download.Headers.GetValues("X-Content-Type-Options").Single());
        var got = await download.Content.ReadAsByteArrayAsync();
        Assert.Equal(created.Sha256, Convert.ToHexStringLower(SHA256.HashData(got)));
        Assert.Equal(bytes, got);
    }

    [Fact]
    public async Task The_list_is_newest_first_filtered_by_kind_and_paged_by_cursor()
    {
        using var api = await _app.CreateAuthenticatedClientAsync();
        var marker = Guid.NewGuid().ToString("N")[..8];
        var ids = new List<Guid>();
        for (var i = 0; i < 3; i++)
        {
            ids.Add((await (await UploadAsync(api, Encoding.UTF8.GetBytes($"line {i}\n"), $"{marker}-{i}.txt")).Content.ReadFromJsonAsync<FileBody>())!.Id);
        }

        var paged = new List<Guid>();
        string? cursor = null;
        do
        {
            var page = (await api.GetFromJsonAsync<FilePageBody>($"/api/v1/files?name={marker}&kind=upload&limit=2" + (cursor is null ? "" : $"&cursor={cursor}")))!;
            paged.AddRange(page.Items.Select(f => f.Id));
            cursor = page.NextCursor?.ToString();
        }
        while (cursor is not null);

        Assert.Equal(Enumerable.Reverse(ids), paged);
        Assert.Empty((await api.GetFromJsonAsync<FilePageBody>($"/api/v1/files?name={marker}&kind=Report"))!.Items);
        foreach (var bad in new[] { "kind=Picture", "kind=0", "limit=0", "limit=501" })
        {
            var response = await api.GetAsync($"/api/v1/files?{bad}");
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        }
    }

    [Fact]
    public async Task A_user_of_another_entity_neither_lists_nor_reads_nor_deletes_nor_uploads_into_its_files()
    {
        using var admin = await _app.CreateAuthenticatedClientAsync();
        var a = await CreateEntityAsync(admin, "Files A");
        var b = await CreateEntityAsync(admin, "Files B");
        var ofB = (await (await UploadAsync(admin, "b's secret notes"u8.ToArray(), "b.txt", entityId: b)).Content.ReadFromJsonAsync<FileBody>())!;
        Assert.Equal((true, b), (ofB.EntityName.StartsWith("Files B", StringComparison.Ordinal), ofB.EntityId));
        using var userA = await _app.CreateClientForNewUserAsync(a, BuiltInRoles.OperatorId);
        var ofA = (await (await UploadAsync(userA, "a's notes"u8.ToArray(), "a.txt")).Content.ReadFromJsonAsync<FileBody>())!;

        var listed = (await userA.GetFromJsonAsync<FilePageBody>("/api/v1/files"))!;
        var download = await userA.GetAsync($"/api/v1/files/{ofB.Id}");
        var info = await userA.GetAsync($"/api/v1/files/{ofB.Id}/info");
        var delete = await userA.DeleteAsync($"/api/v1/files/{ofB.Id}");
        var plant = await UploadAsync(userA, "planted"u8.ToArray(), "x.txt", entityId: b);

        Assert.Equal([ofA.Id], listed.Items.Select(f => f.Id));
        Assert.Equal(a, ofA.EntityId);
        Assert.Equal(HttpStatusCode.NotFound, download.StatusCode);
        Assert.Equal($"There is no file {ofB.Id}.", (await download.Content.ReadFromJsonAsync<ProblemBody>())!.Detail);
        Assert.Equal(HttpStatusCode.NotFound, info.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, delete.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, plant.StatusCode);
        Assert.Contains("entityId", (await plant.Content.ReadFromJsonAsync<ProblemBody>())!.Errors!.Keys);
        Assert.Equal("b's secret notes", await admin.GetStringAsync($"/api/v1/files/{ofB.Id}"));
    }

    [Fact]
    public async Task A_client_may_read_files_but_not_upload_or_delete_them()
    {
        using var admin = await _app.CreateAuthenticatedClientAsync();
        var entity = await CreateEntityAsync(admin, "Files reader");
        var file = (await (await UploadAsync(admin, "report"u8.ToArray(), "r.txt", entityId: entity)).Content.ReadFromJsonAsync<FileBody>())!;
        using var client = await _app.CreateClientForNewUserAsync(entity, BuiltInRoles.ClientId);

        Assert.Equal("report", await client.GetStringAsync($"/api/v1/files/{file.Id}"));
        Assert.Equal(HttpStatusCode.Forbidden, (await UploadAsync(client, "x"u8.ToArray(), "x.txt")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await client.DeleteAsync($"/api/v1/files/{file.Id}")).StatusCode);
    }

    [Theory]
    [InlineData("../../../../etc/passwd", "passwd")]
    [InlineData("..\\..\\windows\\win.ini", "win.ini")]
    [InlineData("..", "file")]
    [InlineData("a<b>c:d*e?f|g\th.txt", "abcdefgh.txt")]
    [InlineData("/", "file")]
    public async Task A_name_that_looks_like_a_path_is_stored_safely_and_the_bytes_land_under_the_data_folder_by_id(string given, string stored)
    {
        using var api = await _app.CreateAuthenticatedClientAsync();
        var before = FilesUnder(_app.DataDirectory);

        var response = await UploadAsync(api, "root:x:0:0"u8.ToArray(), given);

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var file = (await response.Content.ReadFromJsonAsync<FileBody>())!;
        Assert.Equal(stored, file.Name);
        var onDisk = Path.Combine(_app.DataDirectory, "files", file.EntityId.ToString("D"), file.Id.ToString("N"));
        Assert.Equal([onDisk], FilesUnder(_app.DataDirectory).Except(before));
        Assert.Equal("root:x:0:0", await File.ReadAllTextAsync(onDisk));
    }

    /// <summary>Every file under the folder but the database's, which change with every request.</summary>
    private static List<string> FilesUnder(string folder) =>
        [.. Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories).Where(p => !Path.GetFileName(p).Contains(".db", StringComparison.Ordinal))];

    [Theory]
    [InlineData("photo.png", null, "named as a PNG image, but its content is plain text")]
    [InlineData("scan.pdf", "application/pdf", "named as a PDF document, but its content is plain text")]
    [InlineData("data.bin", "image/jpeg", "declared as image/jpeg (a JPEG image), but its content is plain text")]
    [InlineData("voice.wav", "audio/wav", "named as a WAV recording, but its content is plain text")]
    public async Task A_file_whose_name_or_type_claims_an_image_pdf_or_audio_it_is_not_is_refused(string name, string? type, string problem)
    {
        using var api = await _app.CreateAuthenticatedClientAsync();
        var before = Directory.Exists(Path.Combine(_app.DataDirectory, "files", ".staging"))
            ? Directory.GetFiles(Path.Combine(_app.DataDirectory, "files", ".staging")).Length : 0;

        var response = await UploadAsync(api, "<script>alert(1)</script>"u8.ToArray(), name, type);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var body = (await response.Content.ReadFromJsonAsync<ProblemBody>())!;
        Assert.Contains(problem, body.Errors!["file"].Single());
        Assert.Equal(before, Directory.GetFiles(Path.Combine(_app.DataDirectory, "files", ".staging")).Length);
    }

    [Theory]
    [InlineData("notes.exe", "application/x-msdownload", "text/plain")]
    [InlineData("readings", null, "text/csv")]
    [InlineData("page.html", "text/html", "text/plain")]
    [InlineData("data.txt", "text/plain", "application/json")]
    public async Task Any_other_claim_gives_way_to_the_type_of_the_content(string name, string? type, string expected)
    {
        using var api = await _app.CreateAuthenticatedClientAsync();
        var content = expected switch
        {
            "text/csv" => "time,temp\n2026-01-01,21.5\n"u8.ToArray(),
            "application/json" => "{ \"temp\": 21.5 }\n"u8.ToArray(),
            _ => "<html><script>alert(1)</script></html>"u8.ToArray(),
        };

        var response = await UploadAsync(api, content, name, type);

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal(expected, (await response.Content.ReadFromJsonAsync<FileBody>())!.ContentType);
    }

    [Fact]
    public async Task An_empty_file_and_a_missing_file_field_are_400_problems_and_a_body_that_is_not_a_form_415()
    {
        using var api = await _app.CreateAuthenticatedClientAsync();
        using var noFile = new MultipartFormDataContent { { new StringContent("x"), "other" } };

        var empty = await UploadAsync(api, [], "empty.txt");
        var missing = await api.PostAsync("/api/v1/files", noFile);
        var json = await api.PostAsJsonAsync("/api/v1/files", new { name = "x" });

        Assert.Equal("“empty.txt” is empty.", (await empty.Content.ReadFromJsonAsync<ProblemBody>())!.Errors!["file"].Single());
        foreach (var response in new[] { empty, missing, json })
        {
            Assert.Equal(response == json ? HttpStatusCode.UnsupportedMediaType : HttpStatusCode.BadRequest, response.StatusCode);
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        }
    }

    [Fact]
    public async Task Deleting_a_file_removes_its_bytes_from_disk_and_both_changes_are_audited()
    {
        using var api = await _app.CreateAuthenticatedClientAsync();
        var file = (await (await UploadAsync(api, "to delete"u8.ToArray(), "gone.txt")).Content.ReadFromJsonAsync<FileBody>())!;
        var onDisk = Path.Combine(_app.DataDirectory, "files", file.EntityId.ToString("D"), file.Id.ToString("N"));
        Assert.True(File.Exists(onDisk));

        var delete = await api.DeleteAsync($"/api/v1/files/{file.Id}");

        Assert.Equal(HttpStatusCode.NoContent, delete.StatusCode);
        Assert.False(File.Exists(onDisk));
        Assert.Equal(HttpStatusCode.NotFound, (await api.GetAsync($"/api/v1/files/{file.Id}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await api.DeleteAsync($"/api/v1/files/{file.Id}")).StatusCode);
        await using var db = await _app.CreateDbContextAsync();
        var entries = await db.AuditEntries.Where(e => e.Details!.Contains(file.Id.ToString())).OrderBy(e => e.At).ToListAsync();
        Assert.Equal([AuditActions.FileUploaded, AuditActions.FileDeleted], entries.Select(e => e.Action));
        Assert.All(entries, e => Assert.Equal(("gone.txt", IoTRoutesApp.AdminEmail), (e.Target, e.UserEmail)));
    }

    [Fact]
    public async Task A_system_save_with_an_effect_key_stores_a_devices_media_once_and_shows_the_device()
    {
        using var api = await _app.CreateAuthenticatedClientAsync();
        var device = await api.CreateDeviceAsync("Camera 7");
        var saver = _app.Services.GetRequiredService<FileSaver>();
        var messageId = Guid.CreateVersion7();
        var media = new NewFile(IoTRoutes.Core.Entities.RootEntity.Id, "snapshot.png", FileKind.Media, "device Camera 7",
            DeviceId: device.Id, MessageId: messageId, EffectKey: $"{messageId:N}/node-1");

        var first = await saver.SaveAsync(media, new MemoryStream(PngBytes), CancellationToken.None);
        var again = await saver.SaveAsync(media, new MemoryStream(PngBytes), CancellationToken.None);

        Assert.Equal(first.File!.Id, again.File!.Id);
        var listed = (await api.GetFromJsonAsync<FilePageBody>($"/api/v1/files?kind=Media&deviceId={device.Id}"))!;
        var shown = Assert.Single(listed.Items);
        Assert.Equal(("Camera 7", messageId, "image/png", "device Camera 7"), (shown.DeviceName, shown.MessageId, shown.ContentType, shown.CreatedBy));
        var unknown = await saver.SaveAsync(media with { EntityId = Guid.NewGuid(), EffectKey = null }, new MemoryStream(PngBytes), CancellationToken.None);
        Assert.Equal(FileSaveError.UnknownEntity, unknown.Error);
    }

    internal static async Task<HttpResponseMessage> UploadAsync(HttpClient api, byte[] bytes, string name, string? contentType = null, Guid? entityId = null)
    {
        using var form = new MultipartFormDataContent();
        var file = new ByteArrayContent(bytes);
        if (contentType is not null)
        {
            file.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        }

        if (entityId is { } id)
        {
            form.Add(new StringContent(id.ToString()), "entityId");
        }

        // Set by hand: MultipartFormDataContent would quote and escape the name, and a client may send it raw.
        file.Headers.TryAddWithoutValidation("Content-Disposition", $"form-data; name=\"file\"; filename=\"{name.Replace("\"", "\\\"")}\"");
        form.Add(file);
        return await api.PostAsync("/api/v1/files", form);
    }

    private static async Task<Guid> CreateEntityAsync(HttpClient api, string name)
    {
        var response = await api.PostAsJsonAsync("/api/v1/entities", new { name = $"{name} {Guid.NewGuid():N}"[..30], type = "Customer", parentId = (Guid?)null });
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<IdBody>())!.Id;
    }
}

/// <summary>A small size limit: the file just at it is taken, one byte more is a 413 problem and leaves nothing behind.</summary>
public sealed class FilesSizeLimitTests(FilesSizeLimitTests.SmallFilesApp app) : IClassFixture<FilesSizeLimitTests.SmallFilesApp>
{
    public sealed class SmallFilesApp : IoTRoutesApp
    {
        protected override IEnumerable<KeyValuePair<string, string?>> ExtraSettings => [new("IoTRoutes:Files:MaxBytes", "1024")];
    }

    private readonly IoTRoutesApp _app = app.Started();

    [Fact]
    public async Task A_file_over_the_limit_is_a_413_problem_and_leaves_no_bytes_behind()
    {
        using var api = await _app.CreateAuthenticatedClientAsync();

        var atLimit = await FilesApiTests.UploadAsync(api, Enumerable.Repeat((byte)'a', 1024).ToArray(), "full.txt");
        var over = await FilesApiTests.UploadAsync(api, Enumerable.Repeat((byte)'a', 1025).ToArray(), "over.txt");
        var farOver = await FilesApiTests.UploadAsync(api, new byte[200_000], "far over.bin");

        Assert.Equal(HttpStatusCode.Created, atLimit.StatusCode);
        foreach (var response in new[] { over, farOver })
        {
            Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            Assert.Contains("1 KiB", (await response.Content.ReadFromJsonAsync<ProblemBody>())!.Detail);
        }

        var listed = (await api.GetFromJsonAsync<FilePageBody>("/api/v1/files"))!;
        Assert.Equal(["full.txt"], listed.Items.Select(f => f.Name));
        var stored = Directory.EnumerateFiles(Path.Combine(_app.DataDirectory, "files"), "*", SearchOption.AllDirectories).ToList();
        Assert.Equal([Path.Combine(_app.DataDirectory, "files", listed.Items[0].EntityId.ToString("D"), listed.Items[0].Id.ToString("N"))], stored);
    }
}
