// Monaco is a few megabytes: loaded by the first page that shows a code editor, not by every page.
window.iotroutesCodeEditor = (function () {
    let loading = null;
    const load = src => new Promise((resolve, reject) => {
        const script = document.createElement('script');
        script.src = src;
        script.onload = resolve;
        script.onerror = () => reject(new Error('Could not load ' + src));
        document.head.appendChild(script);
    });
    return {
        ready: function () {
            if (window.monaco) return Promise.resolve();
            loading ??= load('_content/BlazorMonaco/lib/monaco-editor/min/vs/loader.js')
                .then(() => load('_content/BlazorMonaco/lib/monaco-editor/min/vs/editor/editor.main.js'))
                .catch(e => { loading = null; throw e; });
            return loading;
        }
    };
})();
