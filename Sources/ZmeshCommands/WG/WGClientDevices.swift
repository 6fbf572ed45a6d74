#if canImport(Glibc)
import Glibc
#endif
public import WireGuardNL
import ZmeshCrypto
public import ZmeshModel

/// ``WGDeviceAccess`` over a ``WireGuardNL/WireGuardClient``: the devices of the calling thread's
/// network namespace, listed in `wg`'s order, with errors that name the interface.
public final class WGClientDevices: WGDeviceAccess {
    public let client: WireGuardClient

    public init(client: WireGuardClient) { self.client = client }

    public func interfaceNames() throws(WireGuardError) -> [InterfaceName] {
        let names = try client.interfaceNames()
        return WGInterfaceOrder.arrange(names, socketDirectory: client.userspace.socketDirectory) { isUserspace($0) }
    }

    public func device(_ name: InterfaceName) throws(WireGuardError) -> DeviceStatus {
        var status = try explained(name) { () throws(WireGuardError) in try client.device(name) }
        // The UAPI does not report the public key; `wg` derives it, and so do we.
        if status.publicKey == nil, let privateKey = status.privateKey {
            status.publicKey = WireGuardKeys.publicKey(for: privateKey)
        }
        return status
    }

    public func set(_ name: InterfaceName, _ update: DeviceUpdate) throws(WireGuardError) {
        try explained(name) { () throws(WireGuardError) in try client.set(name, update) }
    }

    @discardableResult
    public func apply(_ desired: DeviceConfiguration, to name: InterfaceName) throws(WireGuardError) -> DeviceUpdate? {
        try explained(name) { () throws(WireGuardError) in try client.apply(desired, to: name) }
    }

    private func isUserspace(_ name: InterfaceName) -> Bool {
        switch client.choice {
        case .userspace: true
        case .kernel: false
        case .automatic: client.userspace.hasSocket(for: name)
        }
    }

    /// Runs `body`, turning "no kernel WireGuard" / "no UAPI socket" for one interface into what the
    /// user needs to hear: the interface does not exist, or it is not a WireGuard interface.
    private func explained<T>(_ name: InterfaceName, _ body: () throws(WireGuardError) -> T) throws(WireGuardError) -> T {
        if client.choice == .userspace, !client.userspace.hasSocket(for: name) { throw Self.missing(name) }
        do {
            return try body()
        } catch .kernelHasNoWireGuard where client.choice == .automatic {
            throw Self.missing(name)
        }
    }

    /// `noSuchDevice` when no interface has that name in this namespace, else `notWireGuard`.
    private static func missing(_ name: InterfaceName) -> WireGuardError {
        if_nametoindex(name.rawValue) == 0 ? .noSuchDevice(name) : .notWireGuard(name)
    }
}
