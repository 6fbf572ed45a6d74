public import Netlink
public import ZmeshModel

#if canImport(Glibc)
import Glibc
#endif

/// WireGuard devices of the Linux kernel, over the `wireguard` generic-netlink family (libmnl).
///
/// Works on the network namespace its sockets were opened in: create the backend inside
/// ``SystemSupport/NetworkNamespace/run(_:)`` to manage the devices of another namespace.
public final class KernelBackend: WireGuardBackend {
    public let kind = "kernel"
    /// The most bytes one `WG_CMD_SET_DEVICE` message may take (wireguard-tools uses 4 KiB).
    public let messageBudget: Int
    public let canRemoveAllowedIPs: Bool
    let genl: NetlinkConnection
    let route: NetlinkConnection
    let familyID: UInt16

    public static let defaultMessageBudget = 32 * 1024

    /// Opens sockets in the calling thread's namespace and resolves the family.
    /// Throws ``WireGuardError/kernelHasNoWireGuard`` when the family does not exist.
    public convenience init(messageBudget: Int = KernelBackend.defaultMessageBudget) throws(WireGuardError) {
        do {
            try self.init(
                genericTransport: MnlSocket(.generic), routeTransport: MnlSocket(.route), messageBudget: messageBudget,
                canRemoveAllowedIPs: KernelBackend.runningKernelRemovesAllowedIPs())
        } catch let error as WireGuardError {
            throw error
        } catch let error as NetlinkError {
            throw .netlink(interface: nil, error)
        } catch {
            throw .netlink(interface: nil, .malformed(operation: "open", reason: "\(error)"))
        }
    }

    /// Over any transports (tests pass recording ones).
    public init(
        genericTransport: any NetlinkTransport, routeTransport: any NetlinkTransport, messageBudget: Int = KernelBackend.defaultMessageBudget,
        canRemoveAllowedIPs: Bool = false, firstSequence: UInt32 = 1
    ) throws(WireGuardError) {
        self.messageBudget = messageBudget
        self.canRemoveAllowedIPs = canRemoveAllowedIPs
        genl = NetlinkConnection(transport: genericTransport, firstSequence: firstSequence)
        route = NetlinkConnection(transport: routeTransport, firstSequence: firstSequence)
        let id: UInt16?
        do { id = try genl.resolveFamily(WG.genlName) } catch { throw .netlink(interface: nil, error) }
        guard let id else { throw .kernelHasNoWireGuard }
        familyID = id
    }

    /// Whether the kernel has WireGuard (the family resolves) in the calling thread's namespace.
    public static func isAvailable() -> Bool {
        guard let socket = try? MnlSocket(.generic) else { return false }
        return (try? NetlinkConnection(transport: socket).resolveFamily(WG.genlName)) != nil
    }

    public func interfaceNames() throws(WireGuardError) -> [InterfaceName] {
        let links: [LinkSummary]
        do { links = try route.links() } catch { throw .netlink(interface: nil, error) }
        return links.filter { $0.kind == "wireguard" }.compactMap { try? InterfaceName($0.name) }.sorted()
    }

    public func device(_ name: InterfaceName) throws(WireGuardError) -> DeviceStatus {
        while true {
            let request = NetlinkMessage(
                type: familyID, flags: NetlinkFlags.NLM_F_REQUEST | NetlinkFlags.NLM_F_ACK | NetlinkFlags.NLM_F_DUMP,
                capacity: 64)
            request.putGenericHeader(command: WG.CMD_GET_DEVICE, version: WG.genlVersion)
            request.put(WG.DEVICE_A_IFNAME, string: name.rawValue)
            var parser = DeviceDumpParser(requestedName: name)
            do {
                try genl.dump(request, operation: "read \(name)") { message throws(NetlinkError) in
                    try parser.consume(message)
                }
                return parser.device
            } catch .dumpInterrupted {
                continue
            } catch {
                throw WireGuardError.fromKernel(error, interface: name, operation: "read")
            }
        }
    }

    public func set(_ name: InterfaceName, _ update: DeviceUpdate) throws(WireGuardError) {
        let encoder = SetDeviceEncoder(familyID: familyID, interface: name, budget: messageBudget)
        do {
            try encoder.encode(update) { message throws(NetlinkError) in
                try genl.acknowledged(message, operation: "configure \(name)")
            }
        } catch {
            throw WireGuardError.fromKernel(error, interface: name, operation: "configure")
        }
    }

    /// `ip link add NAME type wireguard` in the backend's namespace.
    public func createInterface(_ name: InterfaceName) throws(WireGuardError) {
        do { try route.createLink(name: name.rawValue, kind: "wireguard") } catch {
            if error.errno == 95 { throw .kernelHasNoWireGuard }
            throw .netlink(interface: name, error)
        }
    }

    /// `ip link del NAME`, refusing links that are not WireGuard.
    public func deleteInterface(_ name: InterfaceName) throws(WireGuardError) {
        guard try interfaceNames().contains(name) else {
            let exists = (try? route.links())?.contains { $0.name == name.rawValue } ?? false
            throw exists ? .notWireGuard(name) : .noSuchDevice(name)
        }
        do { try route.deleteLink(name: name.rawValue) } catch { throw .netlink(interface: name, error) }
    }

    /// Linux 6.16 added per-prefix removal (`WGALLOWEDIP_F_REMOVE_ME`).
    static func runningKernelRemovesAllowedIPs() -> Bool {
        var names = utsname()
        guard uname(&names) == 0 else { return false }
        let release = withUnsafeBytes(of: &names.release) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
        let numbers = release.split(whereSeparator: { !$0.isNumber }).prefix(2).compactMap { Int($0) }
        guard numbers.count == 2 else { return false }
        return (numbers[0], numbers[1]) >= (6, 16)
    }
}
