public import ZmeshModel

/// One way of reaching WireGuard devices: the kernel over generic netlink, or a userspace
/// implementation (wireguard-go) over its UAPI socket. Calls block; every call is a complete
/// exchange, and a backend object is used from one thread at a time.
public protocol WireGuardBackend: AnyObject {
    /// A short name for messages and benchmarks: "kernel" or "userspace".
    var kind: String { get }

    /// Names of the WireGuard devices this backend can see, sorted.
    func interfaceNames() throws(WireGuardError) -> [InterfaceName]

    /// Reads a device: configuration and counters.
    func device(_ name: InterfaceName) throws(WireGuardError) -> DeviceStatus

    /// Sends one update. Not transactional: on error, what was sent before the failure stays applied.
    func set(_ name: InterfaceName, _ update: DeviceUpdate) throws(WireGuardError)

    /// Whether a single allowed IP can be removed from a peer (kernel ≥ 6.16, recent userspace).
    var canRemoveAllowedIPs: Bool { get }
}

extension WireGuardBackend {
    /// Converges `name` to `desired`: reads the device, computes the smallest update
    /// (``DeviceUpdate/init(from:to:canRemoveAllowedIPs:)``) and sends only that. Returns what was sent,
    /// or `nil` when the device already matched.
    @discardableResult
    public func apply(_ desired: DeviceConfiguration, to name: InterfaceName) throws(WireGuardError) -> DeviceUpdate? {
        do { try desired.validate() } catch { throw .invalidConfiguration(interface: name, error) }
        let current = try device(name)
        let update = DeviceUpdate(from: current, to: desired, canRemoveAllowedIPs: canRemoveAllowedIPs)
        if update.isEmpty { return nil }
        try set(name, update)
        return update
    }

    /// Makes the device exactly `configuration`, replacing all peers (`wg setconf`).
    public func replace(_ name: InterfaceName, with configuration: DeviceConfiguration) throws(WireGuardError) {
        do { try configuration.validate() } catch { throw .invalidConfiguration(interface: name, error) }
        try set(name, DeviceUpdate(replacingWith: configuration))
    }
}
