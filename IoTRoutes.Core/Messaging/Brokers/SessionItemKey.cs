namespace IoTRoutes.Core.Messaging.Brokers;

/// <summary>
/// A key of MQTTnet's session items. The items are looked up several times per message; a key that is an object
/// hashes by reference, where a string key would be hashed character by character on every lookup.
/// </summary>
internal sealed class SessionItemKey(string name)
{
    public override string ToString() => name;
}
