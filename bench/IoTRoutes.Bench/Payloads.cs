using System.Text;

namespace IoTRoutes.Bench;

/// <summary>JSON telemetry with ten fields, padded to the requested size.</summary>
public static class Payloads
{
    public static byte[] Telemetry(long sequence, int size)
    {
        var json = new StringBuilder();
        json.Append("{\"seq\":").Append(sequence);
        for (var f = 1; f <= 8; f++)
        {
            json.Append(",\"f").Append(f).Append("\":").Append((sequence * 31 + f) % 1000 / 10.0);
        }

        json.Append(",\"pad\":\"");
        var padding = Math.Max(0, size - json.Length - 2);
        json.Append('x', padding).Append("\"}");
        return Encoding.UTF8.GetBytes(json.ToString());
    }
}
