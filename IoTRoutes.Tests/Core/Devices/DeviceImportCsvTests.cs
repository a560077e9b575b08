using IoTRoutes.Core.Devices.Import;

namespace IoTRoutes.Tests.Core.Devices;

public sealed class DeviceImportCsvTests
{
    [Fact]
    public void Columns_are_matched_by_header_in_any_order_and_case_with_the_separator_a_spreadsheet_wrote()
    {
        var (lines, problems) = DeviceImportCsv.Read("\uFEFFProfile;NAME;Entity\r\nMeters;\"Pump; north\";Plant\r\n\r\n;Valve;\r\n");

        Assert.Empty(problems);
        Assert.Equal([new DeviceImportLine(2, "Pump; north", "Plant", "Meters"), new DeviceImportLine(4, "Valve", "", "")], lines);
    }

    [Theory]
    [InlineData("", "The file is empty: the first line names the columns (name, entity, profile), then one device per line.")]
    [InlineData("label,entity\nx,y\n", "Unknown column(s) \"label\": the columns are name, entity and profile.")]
    [InlineData("name\n", "The file names the columns but has no device: add one line per device under the header.")]
    [InlineData("name,entity\n\"Pump,a\n", "The file is not valid CSV at line 2: check its quotes (a field with a quote or separator in it is quoted, inner quotes doubled).")]
    public void A_file_that_cannot_be_read_says_why(string csv, string problem)
    {
        Assert.Contains(problem, DeviceImportCsv.Read(csv).Problems);
    }

    [Fact]
    public void More_rows_than_allowed_are_refused_as_a_whole()
    {
        var csv = "name\n" + string.Concat(Enumerable.Range(0, DeviceImportCsv.MaxRows + 1).Select(i => $"d{i}\n"));

        Assert.Equal([$"At most {DeviceImportCsv.MaxRows} devices per file: split it."], DeviceImportCsv.Read(csv).Problems);
    }

    [Fact]
    public void The_credentials_keep_a_secret_that_starts_with_a_dash_and_escape_a_name_that_looks_like_a_formula()
    {
        var id = Guid.NewGuid();

        var csv = DeviceImportCsv.Credentials([new ImportedDevice(2, id, "=HYPERLINK(\"x\")", "abc123", "-secret_x", "Plant", null)]);

        Assert.Equal($"name,key,secret,entity,profile,id\r\n\"'=HYPERLINK(\"\"x\"\")\",abc123,-secret_x,Plant,,{id}\r\n", csv);
    }
}
