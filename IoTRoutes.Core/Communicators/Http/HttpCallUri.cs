namespace IoTRoutes.Core.Communicators.Http;

/// <summary>A call's path under the communicator's base URL, never elsewhere: not another host, not above the base path.</summary>
internal static class HttpCallUri
{
    public static Uri Resolve(string baseUrl, string path)
    {
        var root = new Uri(baseUrl);
        var basePath = root.AbsolutePath.TrimEnd('/');
        Uri uri;
        if (path.Contains("://", StringComparison.Ordinal))
        {
            if (!Uri.TryCreate(path, UriKind.Absolute, out var absolute))
                throw Refused($"'{Shown(path)}' is not a URL.");
            uri = absolute;
        }
        else
        {
            var queryAt = path.IndexOfAny(['?', '#']);
            var (pathPart, rest) = queryAt < 0 ? (path, "") : (path[..queryAt], path[queryAt..]);
            var joined = pathPart.Length == 0 ? root.AbsolutePath : $"{basePath}/{pathPart.TrimStart('/')}";
            if (!Uri.TryCreate($"{root.GetLeftPart(UriPartial.Authority)}{joined}{rest}", UriKind.Absolute, out var combined))
                throw Refused($"'{Shown(path)}' is not a path.");
            uri = combined;
        }

        if (!string.Equals(uri.Scheme, root.Scheme, StringComparison.OrdinalIgnoreCase)
            || !string.Equals(uri.Host, root.Host, StringComparison.OrdinalIgnoreCase) || uri.Port != root.Port)
            throw Refused($"The call goes to {uri.Scheme}://{uri.Host}:{uri.Port}, not to the communicator's {root.Scheme}://{root.Host}:{root.Port}.");

        // "a/../../admin" is resolved by Uri before this check: what is left must still be under the base path.
        if (uri.AbsolutePath != root.AbsolutePath && !uri.AbsolutePath.StartsWith(basePath + "/", StringComparison.Ordinal))
            throw Refused($"The path '{Shown(path)}' leads out of the base URL's path {root.AbsolutePath}.");
        return uri;
    }

    private static CommunicatorException Refused(string message) => new(ConnectionFailure.Other, message);

    private static string Shown(string path) => path.Length > 80 ? path[..80] + "…" : path;
}
