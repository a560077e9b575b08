using System.Text.Json.Nodes;
using IoTRoutes.Core.Communicators;
using IoTRoutes.Core.Communicators.FileTransfer;

namespace IoTRoutes.Tests.Core.Communicators;

public sealed class KindJsonTests
{
    [Theory]
    [InlineData("""{"host":"h","security":"Explicit"}""", "security must be one of None, ExplicitTls.")]
    [InlineData("""{"host":"h","port":"twenty-one"}""", "port must be a number.")]
    [InlineData("""{"host":["h"]}""", "host must be a text.")]
    public void A_setting_of_the_wrong_type_is_named_with_what_it_takes(string settings, string problem)
    {
        var (value, read) = KindJson.Read<FileTransferSettings>(JsonNode.Parse(settings)!.AsObject());

        Assert.Null(value);
        Assert.Equal(problem, read);
    }
}
