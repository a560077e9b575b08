namespace IoTRoutes.Core.Messaging.Pipeline;

/// <summary>Wakes the acquisition worker when new messages are stored; many signals collapse into one.</summary>
public sealed class AcquisitionSignal : CollapsingSignal;
