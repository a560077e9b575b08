using IoTRoutes.Core.Devices;

namespace IoTRoutes.Core.Messaging.Brokers;

/// <summary>The platform services every broker uses.</summary>
public sealed class BrokerHostServices(
    DeviceCredentialValidator credentials,
    Devices.Certificates.DeviceCertificateValidator certificates,
    Devices.Certificates.CertificateAuthority authority,
    ConnectionChanges connectionChanges,
    Pipeline.MessageIntake intake,
    BrokerEvents events,
    IBrokerTransports transports,
    TimeProvider clock,
    Media.Intake.MediaArrivals media)
{
    public IBrokerTransports Transports => transports;
    public DeviceCredentialValidator Credentials => credentials;
    public Devices.Certificates.DeviceCertificateValidator Certificates => certificates;
    public Devices.Certificates.CertificateAuthority Authority => authority;
    public ConnectionChanges ConnectionChanges => connectionChanges;
    public Pipeline.MessageIntake Intake => intake;
    public BrokerEvents Events => events;
    public TimeProvider Clock => clock;
    public Media.Intake.MediaArrivals Media => media;
}
