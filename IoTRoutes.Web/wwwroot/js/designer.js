// The workflow designer's keys: taken on the canvas before the browser acts on them (Ctrl+S would save the page,
// Ctrl+F open its search), then handled by the designer over the workflow's definition.
const handled = new Set(["delete", "backspace", "escape"]);
// Ctrl+V is left to the browser: its paste event carries the clipboard's text without asking for a permission.
const withCtrl = new Set(["z", "y", "c", "a", "s", "f"]);

export function captureKeys(element, designer) {
    element.addEventListener("keydown", e => {
        const target = e.target;
        const typing = target && (target.tagName === "INPUT" || target.tagName === "TEXTAREA" || target.isContentEditable);
        if (typing) return;
        const key = (e.key || "").toLowerCase();
        const ctrl = e.ctrlKey || e.metaKey;
        if (!(ctrl && withCtrl.has(key)) && !handled.has(key)) return;
        e.preventDefault();
        e.stopPropagation();
        designer.invokeMethodAsync("OnKeyAsync", key, ctrl, e.shiftKey);
    });
    element.addEventListener("paste", e => {
        const target = e.target;
        if (target && (target.tagName === "INPUT" || target.tagName === "TEXTAREA" || target.isContentEditable)) return;
        e.preventDefault();
        designer.invokeMethodAsync("OnPasteTextAsync", e.clipboardData ? e.clipboardData.getData("text/plain") : null);
    });
    // A click on the canvas gives it the keys.
    element.addEventListener("pointerdown", () => {
        const canvas = element.querySelector(".diagram-canvas");
        if (canvas && document.activeElement !== canvas) canvas.focus({ preventScroll: true });
    });
}

export async function writeClipboard(text) {
    try {
        await navigator.clipboard.writeText(text);
    } catch {
        // not allowed here: the designer keeps its own copy
    }
}

export async function readClipboard() {
    try {
        return await navigator.clipboard.readText();
    } catch {
        return null;
    }
}
