// Saves a text the circuit made as a file, as the browser saves a download: a Blob behind a link with `download`.
export function saveText(fileName, text, contentType) {
    const url = URL.createObjectURL(new Blob([text], { type: contentType || "application/octet-stream" }));
    const link = document.createElement("a");
    link.href = url;
    link.download = fileName;
    link.style.display = "none";
    document.body.appendChild(link);
    link.click();
    link.remove();
    // The click has started the download; the URL can go once the browser has read it.
    setTimeout(() => URL.revokeObjectURL(url), 60_000);
}
