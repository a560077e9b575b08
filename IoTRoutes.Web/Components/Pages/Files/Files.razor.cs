using IoTRoutes.Core.Files;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Forms;
using MudBlazor;

namespace IoTRoutes.Web.Components.Pages.Files;

/// <summary>The caller's files, newest first, searchable by name; upload (with progress), download, delete.</summary>
public sealed partial class Files
{
    private readonly CancellationTokenSource _gone = new();
    private List<FileDto>? _files;
    private Guid? _nextCursor;
    private string? _error;
    private string _search = "";
    private string? _uploading;
    private int _percent;
    private string? _uploadError;

    [Inject] private IDialogService Dialogs { get; set; } = default!;
    [Inject] private ISnackbar Snackbar { get; set; } = default!;

    protected override Task OnInitializedAsync() => LoadAsync();

    private async Task LoadAsync()
    {
        try
        {
            var page = await FileService.ListAsync(new FileQuery(Name: NullIfBlank(_search)), _gone.Token);
            (_files, _nextCursor, _error) = ([.. page.Items], page.NextCursor, null);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            _error = $"The files could not be loaded: {e.Message}";
        }
    }

    private async Task MoreAsync()
    {
        try
        {
            var page = await FileService.ListAsync(new FileQuery(Name: NullIfBlank(_search), Cursor: _nextCursor), _gone.Token);
            _files!.AddRange(page.Items);
            _nextCursor = page.NextCursor;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            Snackbar.Add($"More files could not be loaded: {e.Message}", Severity.Error);
        }
    }

    private async Task SearchAsync(string? text)
    {
        _search = text ?? "";
        await LoadAsync();
    }

    private async Task UploadAsync(IBrowserFile? file)
    {
        if (file is null)
        {
            return;
        }

        _uploadError = null;
        if (file.Size > FileService.MaxBytes)
        {
            _uploadError = $"“{file.Name}” is larger than the {FileSize.Format(FileService.MaxBytes)} a file may have.";
            return;
        }

        (_uploading, _percent) = (file.Name, 0);
        try
        {
            var lastShown = 0;
            await using var content = new ProgressStream(file.OpenReadStream(FileService.MaxBytes, _gone.Token), read =>
            {
                _percent = file.Size == 0 ? 100 : (int)(read * 100 / file.Size);
                if (_percent >= lastShown + 5)
                {
                    lastShown = _percent;
                    _ = InvokeAsync(StateHasChanged);
                }
            });
            var result = await FileService.SaveAsync(new UploadFileRequest(file.Name, file.ContentType), content, _gone.Token);
            if (result.File is { } saved)
            {
                Snackbar.Add($"{saved.Name} uploaded ({FileSize.Format(saved.Size)}, {saved.ContentType}).", Severity.Success);
                await LoadAsync();
            }
            else
            {
                _uploadError = result.Problem;
            }
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            _uploadError = $"“{file.Name}” could not be uploaded: {e.Message}";
        }
        finally
        {
            _uploading = null;
        }
    }

    private async Task DeleteAsync(FileDto file)
    {
        var confirmed = await Dialogs.ShowMessageBoxAsync($"Delete {file.Name}?", "The file is removed for good, from the list and from the disk.",
            yesText: "Delete", cancelText: "Cancel");
        if (confirmed != true)
        {
            return;
        }

        try
        {
            if (await FileService.DeleteAsync(file.Id, _gone.Token))
            {
                Snackbar.Add($"{file.Name} deleted.", Severity.Success);
            }
            else
            {
                Snackbar.Add($"{file.Name} was already gone.", Severity.Warning);
            }

            await LoadAsync();
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            Snackbar.Add($"{file.Name} could not be deleted: {e.Message}", Severity.Error);
        }
    }

    private static string DownloadUrl(FileDto file) => $"files/{file.Id}/download";

    private static string? NullIfBlank(string text) => string.IsNullOrWhiteSpace(text) ? null : text.Trim();

    private static string IconOf(FileDto file) => file.ContentType switch
    {
        "application/pdf" => Icons.Material.Outlined.PictureAsPdf,
        "text/csv" => Icons.Material.Outlined.TableChart,
        "application/json" => Icons.Material.Outlined.DataObject,
        "application/zip" or "application/gzip" => Icons.Material.Outlined.FolderZip,
        _ when file.ContentType.StartsWith("audio/", StringComparison.Ordinal) => Icons.Material.Outlined.AudioFile,
        _ when file.ContentType.StartsWith("video/", StringComparison.Ordinal) => Icons.Material.Outlined.VideoFile,
        _ when file.ContentType.StartsWith("text/", StringComparison.Ordinal) => Icons.Material.Outlined.Description,
        _ => Icons.Material.Outlined.InsertDriveFile,
    };

    private static Color ColorOf(FileKind kind) => kind switch
    {
        FileKind.Report => Color.Info,
        FileKind.Media => Color.Secondary,
        _ => Color.Default,
    };

    public void Dispose()
    {
        _gone.Cancel();
        _gone.Dispose();
    }
}
