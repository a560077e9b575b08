using System.Globalization;

namespace IoTRoutes.Core.Communicators.FileTransfer;

/// <summary>
/// Reads directory listings: MLSD lines (RFC 3659, "type=file;size=12; name"), which servers that offer MLST send, and
/// else the Unix "ls -l" lines of LIST that servers without it (vsftpd) send. Only plain files are kept.
/// </summary>
internal static class FtpListing
{
    private static readonly string[] Months = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"];

    public static RemoteFile? ParseMlsd(string line)
    {
        var space = line.IndexOf(' ');
        if (space <= 0)
        {
            return null;
        }

        string? type = null;
        long? size = null;
        foreach (var fact in line[..space].Split(';', StringSplitOptions.RemoveEmptyEntries))
        {
            var equals = fact.IndexOf('=');
            if (equals <= 0)
            {
                continue;
            }

            var value = fact[(equals + 1)..];
            switch (fact[..equals].ToLowerInvariant())
            {
                case "type":
                    type = value.ToLowerInvariant();
                    break;
                case "size" when long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var parsed):
                    size = parsed;
                    break;
            }
        }

        var name = line[(space + 1)..];
        return type == "file" && name.Length > 0 ? new RemoteFile(name, size ?? 0) : null;
    }

    /// <summary>"-rw-r--r--   1 owner group   1234 Dec 06 22:00 name with spaces": the size stands before the month.</summary>
    public static RemoteFile? ParseUnixList(string line)
    {
        if (!line.StartsWith('-'))
        {
            return null;
        }

        var fields = Fields(line);
        for (var i = 2; i + 3 < fields.Count; i++)
        {
            if (Months.Contains(fields[i].Text.ToLowerInvariant())
                && long.TryParse(fields[i - 1].Text, NumberStyles.None, CultureInfo.InvariantCulture, out var size))
            {
                // Month, day, then time or year; the name is the rest of the line.
                var name = line[fields[i + 3].Start..];
                return new RemoteFile(name, size);
            }
        }

        return null;
    }

    private static List<(int Start, string Text)> Fields(string line)
    {
        var fields = new List<(int, string)>();
        var i = 0;
        while (i < line.Length)
        {
            while (i < line.Length && line[i] == ' ')
            {
                i++;
            }

            var start = i;
            while (i < line.Length && line[i] != ' ')
            {
                i++;
            }

            if (i > start)
            {
                fields.Add((start, line[start..i]));
            }
        }

        return fields;
    }
}
