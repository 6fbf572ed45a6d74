public import ZmeshModel

/// WireGuard devices implemented in userspace (wireguard-go), over their UAPI sockets.
/// (Being implemented.)
public final class UserspaceBackend: WireGuardBackend {
    public static let defaultSocketDirectory = "/var/run/wireguard"
    public let kind = "userspace"
    public let socketDirectory: String
    public var canRemoveAllowedIPs: Bool { false }

    public init(socketDirectory: String = UserspaceBackend.defaultSocketDirectory) {
        self.socketDirectory = socketDirectory
    }

    public func hasSocket(for name: InterfaceName) -> Bool { false }
    public func interfaceNames() throws(WireGuardError) -> [InterfaceName] { [] }
    public func device(_ name: InterfaceName) throws(WireGuardError) -> DeviceStatus { throw .noSuchDevice(name) }
    public func set(_ name: InterfaceName, _ update: DeviceUpdate) throws(WireGuardError) { throw .noSuchDevice(name) }
}
