public import ZmeshModel
import SystemSupport

#if canImport(Glibc)
import Glibc
#endif

/// WireGuard devices implemented in userspace (wireguard-go, boringtun), over their UAPI sockets
/// `<socketDirectory>/<name>.sock`.
///
/// Each call opens its own connection and sends one request, as `wg(8)` does. The socket directory
/// is a filesystem path, not tied to a network namespace: a daemon's socket is reachable from every
/// namespace that shares the mount namespace, wherever its TUN device lives.
public final class UserspaceBackend: WireGuardBackend {
    /// Where wireguard-go and boringtun put their sockets (`/run/wireguard` on Debian).
    public static let defaultSocketDirectory = "/var/run/wireguard"
    /// How long a send or a receive may block before the call fails (a hung daemon).
    public static let defaultTimeout: Duration = .seconds(5)

    public let kind = "userspace"
    public let socketDirectory: String
    public let timeout: Duration
    /// wireguard-go 0.0.20220316 (Debian 12) rejects `allowed_ip=-PREFIX` with EINVAL, so diffs replace
    /// a peer's allowed IPs instead of removing single prefixes.
    public var canRemoveAllowedIPs: Bool { false }

    public init(socketDirectory: String = UserspaceBackend.defaultSocketDirectory, timeout: Duration = UserspaceBackend.defaultTimeout) {
        self.socketDirectory = socketDirectory
        self.timeout = timeout
    }

    /// `<socketDirectory>/<name>.sock`.
    public func socketPath(for name: InterfaceName) -> String { "\(socketDirectory)/\(name.rawValue).sock" }

    /// Whether a daemon serves `name`: its socket exists and is not stale (a refused connection means
    /// the daemon is gone). Stale sockets are left in place; wireguard-go replaces them when it starts.
    public func hasSocket(for name: InterfaceName) -> Bool { UAPISocket.probe(socketPath(for: name)) == .live }

    /// The devices with a live socket in ``socketDirectory``, sorted; none when the directory does not exist.
    public func interfaceNames() throws(WireGuardError) -> [InterfaceName] {
        guard let directory = opendir(socketDirectory) else {
            let code = errno
            if code == ENOENT || code == ENOTDIR { return [] }
            throw .system(SystemError("list", socketDirectory, errno: code))
        }
        defer { closedir(directory) }
        var names: [InterfaceName] = []
        while let entry = readdir(directory) {
            let file = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            guard file.hasSuffix(".sock"), let name = try? InterfaceName(file.dropLast(5)) else { continue }
            if hasSocket(for: name) { names.append(name) }
        }
        return names.sorted()
    }

    public func device(_ name: InterfaceName) throws(WireGuardError) -> DeviceStatus {
        let reply = try UAPISocket.exchange(
            UAPI.getRequest, path: socketPath(for: name), interface: name, operation: "read", timeout: timeout)
        return try UAPI.parseDevice(reply, interface: name)
    }

    public func set(_ name: InterfaceName, _ update: DeviceUpdate) throws(WireGuardError) {
        let reply = try UAPISocket.exchange(
            UAPI.setRequest(update), path: socketPath(for: name), interface: name, operation: "configure",
            timeout: timeout)
        try UAPI.checkSetReply(reply, interface: name)
    }
}
