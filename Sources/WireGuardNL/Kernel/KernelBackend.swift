public import Netlink
public import RouteNL
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
    /// Links (create, delete, list) over rtnetlink; `nil` for a backend built on test transports.
    let links: RouteNetlink?
    let familyID: UInt16

    public static let defaultMessageBudget = 32 * 1024

    /// Opens sockets in the calling thread's namespace and resolves the family.
    /// Throws ``WireGuardError/kernelHasNoWireGuard`` when the family does not exist.
    public convenience init(messageBudget: Int = KernelBackend.defaultMessageBudget) throws(WireGuardError) {
        let socket: MnlSocket
        do { socket = try MnlSocket(.generic) } catch { throw .netlink(interface: nil, error) }
        let links: RouteNetlink
        do { links = try RouteNetlink() } catch { throw .links(error) }
        try self.init(
            genericTransport: socket, links: links, messageBudget: messageBudget,
            canRemoveAllowedIPs: KernelBackend.runningKernelRemovesAllowedIPs())
    }

    /// Over any generic-netlink transport (tests pass recording ones); without `links`, creating,
    /// deleting and listing interfaces is unavailable.
    ///
    /// - Throws: ``WireGuardError/invalidBudget(_:)`` for a budget under 256 bytes or not a multiple of 4.
    public init(
        genericTransport: any NetlinkTransport, links: RouteNetlink? = nil,
        messageBudget: Int = KernelBackend.defaultMessageBudget, canRemoveAllowedIPs: Bool = false,
        firstSequence: UInt32 = 1
    ) throws(WireGuardError) {
        guard messageBudget >= 256, messageBudget % 4 == 0, messageBudget <= 1 << 20 else {
            throw .invalidBudget(messageBudget)
        }
        self.messageBudget = messageBudget
        self.canRemoveAllowedIPs = canRemoveAllowedIPs
        genl = NetlinkConnection(transport: genericTransport, firstSequence: firstSequence)
        self.links = links
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
        let links = try linkConnection()
        let all: [Link]
        do { all = try links.links() } catch { throw .links(error) }
        return all.filter { $0.kind == .wireguard }.compactMap { try? InterfaceName($0.name) }.sorted()
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
        let links = try linkConnection()
        do { try links.createWireGuard(name) } catch {
            if error.code == .notSupported { throw .kernelHasNoWireGuard }
            throw .links(error)
        }
    }

    /// `ip link del NAME`, refusing links that are not WireGuard.
    public func deleteInterface(_ name: InterfaceName) throws(WireGuardError) {
        let links = try linkConnection()
        do {
            guard let link = try links.linkIfPresent(named: name) else { throw WireGuardError.noSuchDevice(name) }
            guard link.kind == .wireguard else { throw WireGuardError.notWireGuard(name) }
            try links.deleteLink(name)
        } catch let error as WireGuardError {
            throw error
        } catch let error as RouteNLError {
            throw error.code == .noSuchDevice ? .noSuchDevice(name) : .links(error)
        } catch {
            throw .noSuchDevice(name)
        }
    }

    private func linkConnection() throws(WireGuardError) -> RouteNetlink {
        guard let links else {
            throw .links(RouteNLError(.notSupported, operation: "manage links", object: "", namespace: "", reason: "no rtnetlink connection"))
        }
        return links
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
