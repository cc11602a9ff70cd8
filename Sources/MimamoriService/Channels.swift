/// Every channel the daemon knows, in the order they are built and shut down. A new channel is
/// its `ChannelAdapter` and one line here; `mimamori render` writes each one's files.
public enum Channels {
    public static let adapters: [any ChannelAdapter.Type] = [
        EmailDeliveryOutlet.self,
        FaxDeliveryOutlet.self,
        RadioDeliveryOutlet.self,
    ]
}
