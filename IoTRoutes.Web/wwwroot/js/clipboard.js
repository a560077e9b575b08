// Copies a text the page shows. The Clipboard API exists only in secure contexts (HTTPS, localhost): on plain HTTP to
// another host, a selected hidden textarea and the older copy command do it. Answers whether the text was copied.
export async function copyText(text) {
    if (navigator.clipboard && window.isSecureContext) {
        try {
            await navigator.clipboard.writeText(text);
            return true;
        } catch {
            // denied (no user gesture, permissions): try the fallback
        }
    }

    const area = document.createElement("textarea");
    area.value = text;
    area.setAttribute("readonly", "");
    area.style.position = "fixed";
    area.style.opacity = "0";
    document.body.appendChild(area);
    area.select();
    try {
        return document.execCommand("copy");
    } finally {
        area.remove();
    }
}
