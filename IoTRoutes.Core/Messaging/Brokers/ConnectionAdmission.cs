using System.Collections;
using IoTRoutes.Core.Devices;
using MQTTnet.Formatter;
using MQTTnet.Packets;
using MQTTnet.Protocol;
using MQTTnet.Server;
using static IoTRoutes.Core.Messaging.Brokers.BrokerSessionItems;

namespace IoTRoutes.Core.Messaging.Brokers;

/// <summary>
/// Who may connect: connection limits and authentication at CONNECT, and at CONNACK the identity installed into the
/// session the connection got (or the connection refused, if that session belongs to someone else).
/// </summary>
internal sealed class ConnectionAdmission(BrokerContext broker)
{
    private readonly ConnectAttemptLimiter _limiter = new(broker.Definition.MaxConnectAttemptsPerMinute, broker.Services.Clock);

    public async Task ValidateConnectionAsync(ValidatingConnectionEventArgs args)
    {
        // First, so that MQTTnet's own empty-id check cannot override the reason code chosen below.
        ClientIdAssignment.AssignWhenEmpty(args);
        if (CheckConnectionLimits(args) is { } refusal)
        {
            Refuse(args, refusal.Code, refusal.Text);
            return;
        }

        AuthenticatedDevice? device;
        try
        {
            var outcome = await AuthenticateAsync(args);
            if (outcome.Refusal is { } refused)
            {
                Refuse(args, refused.Code, refused.Text);
                return;
            }

            device = outcome.Device;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            BrokerLog.ValidationFailed(broker.Logger, broker.Definition.Name, args.UserName, e);
            args.ReasonCode = MqttConnectReasonCode.ServerUnavailable;
            return;
        }

        var clientId = string.IsNullOrEmpty(args.ClientId) ? args.AssignedClientIdentifier : args.ClientId;
        if (string.IsNullOrEmpty(clientId))
        {
            Refuse(args, MqttConnectReasonCode.ClientIdentifierNotValid, "A persistent session needs a client id.");
            return;
        }

        if (clientId == PlatformClientId)
        {
            Refuse(args, MqttConnectReasonCode.ClientIdentifierNotValid, $"The client id {PlatformClientId} is reserved.");
            return;
        }

        var owner = device?.Id ?? Guid.Empty;
        if (broker.SessionOwners.GetOrAdd(clientId, owner) != owner)
        {
            BrokerLog.ClientIdTaken(broker.Logger, broker.Definition.Name, device?.Key ?? "(anonymous)", clientId);
            args.ReasonCode = MqttConnectReasonCode.ClientIdentifierNotValid;
            args.ReasonString = "This client id belongs to another client's session.";
            return;
        }

        var definition = broker.Definition;
        // MQTT 5: a session outlives its connection when its expiry interval is over 0; 3.1.1: with clean session 0.
        var v5 = args.ProtocolVersion == MqttProtocolVersion.V500;
        var persists = definition.PersistentSessions && (v5 ? args.SessionExpiryInterval > 0 : args.CleanSession == false);
        var expiry = !persists ? 0u : v5 ? Math.Min(args.SessionExpiryInterval, (uint)definition.SessionExpirySeconds) : (uint)definition.SessionExpirySeconds;
        var admission = new Admission(device, owner, args.IsSecureConnection, args.ProtocolVersion, expiry, args.CleanSession == true,
            broker.ProtocolCompletions.OnAccepted(args, clientId, expiry));
        broker.Admissions[clientId] = admission;
        admission.InstallInto(args.SessionItems); // a new session keeps these items; a resumed one gets them at CONNACK
        if (persists && v5)
        {
            // MQTTnet also expires a session by the interval of the CONNECT that created it, and never learns of one that a
            // later connection's DISCONNECT sets: SessionExpiry is the one clock. (InboundRules has kept the client's own
            // value for the DISCONNECT rules, and writes the DISCONNECT's into this packet for MQTTnet's keep-or-drop.)
            ClientIdAssignment.ConnectPacket(args).SessionExpiryInterval = uint.MaxValue;
        }
    }

    /// <summary>At the CONNACK: installs what the CONNECT was admitted as into the session the connection got.</summary>
    public void Admit(InterceptingPacketEventArgs args, MqttConnAckPacket connAck)
    {
        if (connAck.ReasonCode != MqttConnectReasonCode.Success || !broker.Admissions.TryRemove(args.ClientId, out var admission))
        {
            return;
        }

        var items = args.SessionItems;
        if (connAck.IsSessionPresent && items[OwnerItem] is Guid holder && holder != admission.Owner)
        {
            // The client id was free in our map but the session MQTTnet resumed belongs to someone else (a race with
            // the session's end): refuse, and close the connection before anything of that session is sent.
            BrokerLog.ClientIdTaken(broker.Logger, broker.Definition.Name, admission.Device?.Key ?? "(anonymous)", args.ClientId);
            broker.Refused[args.ClientId] = true;
            connAck.ReasonCode = MqttConnectReasonCode.ClientIdentifierNotValid;
            connAck.ReturnCode = MqttConnectReturnCode.ConnectionRefusedIdentifierRejected;
            connAck.IsSessionPresent = false;
            _ = broker.CloseAsync(args.ClientId, MqttDisconnectReasonCode.NotAuthorized);
            return;
        }

        admission.InstallInto(items);
        items.Remove(ClosingItem); // a mark left by the connection that held this session before
        if (admission.CleanStart)
        {
            broker.SharedSubscriptions.Forget(args.ClientId); // a clean start ends the old session's subscriptions, shared ones too
        }
    }

    private Refusal? CheckConnectionLimits(ValidatingConnectionEventArgs args)
    {
        var definition = broker.Definition;
        if (!_limiter.TryAttempt(args.RemoteEndPoint))
        {
            return new Refusal(MqttConnectReasonCode.QuotaExceeded, $"More than {definition.MaxConnectAttemptsPerMinute} connection attempts a minute from this address.");
        }

        var version = args.ProtocolVersion switch
        {
            MqttProtocolVersion.V500 => MqttVersions.V500,
            MqttProtocolVersion.V311 => MqttVersions.V311,
            _ => MqttVersions.None, // MQTT 3.1 (MQIsdp) is not offered
        };
        if (version == MqttVersions.None || !definition.Protocols.HasFlag(version))
        {
            return new Refusal(MqttConnectReasonCode.UnsupportedProtocolVersion, $"This broker accepts MQTT {string.Join(" and ", BrokerRules.ProtocolNames(definition.Protocols))}.");
        }

        if (broker.Live.Count >= definition.MaxConnections)
        {
            return new Refusal(MqttConnectReasonCode.ServerBusy, $"This broker holds at most {definition.MaxConnections} connections.");
        }

        // MQTT 5 clients are told a shorter keep-alive instead (Server Keep Alive, see ProtocolCompletions); 3.1.1 cannot be.
        if (version == MqttVersions.V311 && definition.MaxKeepAliveSeconds > 0 && args.KeepAlivePeriod is { } keepAlive
            && (keepAlive == 0 || keepAlive > definition.MaxKeepAliveSeconds))
        {
            // Return code 2, as mosquitto answers: 1 (unacceptable protocol version) would send clients looking for a protocol problem.
            return new Refusal(MqttConnectReasonCode.ClientIdentifierNotValid, $"Keep-alive must be between 1 and {definition.MaxKeepAliveSeconds} seconds.");
        }

        return null;
    }

    private async Task<(AuthenticatedDevice? Device, Refusal? Refusal)> AuthenticateAsync(ValidatingConnectionEventArgs args)
    {
        var definition = broker.Definition;
        var certificate = args.IsSecureConnection ? args.ClientCertificate : null;
        var acceptsCertificates = definition.Authentication != DeviceAuthentication.Secret;
        var acceptsSecrets = definition.Authentication != DeviceAuthentication.Certificate;
        if (certificate is not null && acceptsCertificates)
        {
            var check = await broker.Services.Certificates.ValidateAsync(certificate, args.CancellationToken);
            if (check.Device is not { } byCertificate)
            {
                return (null, new Refusal(MqttConnectReasonCode.NotAuthorized, check.Problem!));
            }

            return !string.IsNullOrEmpty(args.UserName) && args.UserName != byCertificate.Key
                ? (null, new Refusal(MqttConnectReasonCode.BadUserNameOrPassword, "The user name is not the certificate's device key."))
                : (byCertificate, null);
        }

        if (string.IsNullOrEmpty(args.UserName) && args.RawPassword is null or { Length: 0 })
        {
            return definition.AllowAnonymous
                ? (null, null)
                : (null, new Refusal(MqttConnectReasonCode.NotAuthorized, acceptsSecrets
                    ? "Connect with the device key as user name and its secret as password."
                    : "Connect over TLS with the device's client certificate."));
        }

        if (!acceptsSecrets)
        {
            return (null, new Refusal(MqttConnectReasonCode.NotAuthorized, "This broker accepts client certificates only."));
        }

        // Unknown key and wrong secret get the same answer: the broker does not tell which keys exist.
        var device = await broker.Services.Credentials.ValidateAsync(args.UserName, args.Password, args.CancellationToken);
        return device is null
            ? (null, new Refusal(MqttConnectReasonCode.BadUserNameOrPassword, "Bad user name or password."))
            : (device, null);
    }

    private void Refuse(ValidatingConnectionEventArgs args, MqttConnectReasonCode code, string text)
    {
        BrokerLog.Refused(broker.Logger, broker.Definition.Name, args.RemoteEndPoint?.ToString(), code.ToString(), text);
        args.ReasonCode = code;
        args.ReasonString = text;
    }

    private sealed record Refusal(MqttConnectReasonCode Code, string Text);
}

/// <summary>What a CONNECT was admitted as, installed into its session at CONNACK.</summary>
internal sealed record Admission(
    AuthenticatedDevice? Device, Guid Owner, bool Secure, MqttProtocolVersion Protocol, uint SessionExpiry, bool CleanStart, object ClientState)
{
    public void InstallInto(IDictionary items)
    {
        items[DeviceItem] = Device;
        items[OwnerItem] = Owner;
        items[SecureItem] = Secure;
        items[ProtocolItem] = Protocol;
        items[ExpiryItem] = SessionExpiry;
        IoTRoutes.Core.Messaging.Brokers.Protocol.ProtocolCompletions.Install(items, ClientState);
        IoTRoutes.Core.Messaging.Brokers.Protocol.DurableAcknowledgements.Install(items);
    }
}
