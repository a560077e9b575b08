using System.Reflection;
using System.Text.Json;
using IoTRoutes.Core;
using IoTRoutes.Core.Messaging;
using IoTRoutes.Core.Messaging.Brokers;
using IoTRoutes.Core.Messaging.Pipeline;
using IoTRoutes.Core.Security;
using IoTRoutes.Core.Storage;

namespace IoTRoutes.Tests.Core;

/// <summary>appsettings.Example.json documents every setting with its real default.</summary>
public sealed class ExampleSettingsTests
{
    public static TheoryData<Type, string> OptionSections => new()
    {
        { typeof(DatabaseOptions), DatabaseOptions.Section },
        { typeof(AdminOptions), AdminOptions.Section },
        { typeof(JwtOptions), JwtOptions.Section },
        { typeof(LockoutOptions), LockoutOptions.Section },
        { typeof(DefaultBrokerOptions), DefaultBrokerOptions.Section },
        { typeof(MessagingOptions), MessagingOptions.Section },
        { typeof(IntakeOptions), IntakeOptions.Section },
        { typeof(IoTRoutes.Core.Media.MediaLimits), IoTRoutes.Core.Media.MediaLimits.Section },
        { typeof(IoTRoutes.Core.Devices.Certificates.TlsOptions), IoTRoutes.Core.Devices.Certificates.TlsOptions.Section },
    };

    [Theory]
    [MemberData(nameof(OptionSections))]
    public void Every_option_is_in_the_example_with_its_default(Type options, string section)
    {
        var node = Section(section);
        var defaults = Activator.CreateInstance(options)!;

        foreach (var property in options.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.CanWrite))
        {
            Assert.True(node.TryGetProperty(property.Name, out var documented), $"{section}:{property.Name} is missing from appsettings.Example.json");
            var expected = property.GetValue(defaults) switch
            {
                null => "",
                bool b => b ? "true" : "false",
                string[] a => JsonSerializer.Serialize(a),
                var v => v.ToString(),
            };
            var actual = documented.ValueKind == JsonValueKind.String ? documented.GetString() : documented.GetRawText();
            Assert.True(expected == actual, $"{section}:{property.Name}: example says {actual}, default is {expected}");
        }
    }

    [Fact]
    public void The_data_directory_and_connection_string_are_in_the_example()
    {
        Assert.Equal(new IoTRoutesOptions().DataDirectory, Section("IoTRoutes").GetProperty("DataDirectory").GetString());
        Assert.True(Section("ConnectionStrings").TryGetProperty(StorageServiceCollectionExtensions.ConnectionStringName, out _));
    }

    private static JsonElement Section(string path)
    {
        var file = Path.Combine(RepositoryRoot(), "appsettings.Example.json");
        using var document = JsonDocument.Parse(File.ReadAllText(file), new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip });
        var node = document.RootElement;
        foreach (var part in path.Split(':'))
        {
            node = node.GetProperty(part);
        }

        return node.Clone();
    }

    private static string RepositoryRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "IoTRoutes.sln")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new DirectoryNotFoundException("IoTRoutes.sln not found above the test binaries.");
    }
}
