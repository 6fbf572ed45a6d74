/// A link as an `RTM_GETLINK` dump reports it (only the fields WireGuard management needs).
public struct LinkSummary: Sendable, Equatable {
    public let index: Int32
    public let name: String
    /// `IFLA_INFO_KIND` ("wireguard", "veth", "tun", …), `nil` for links without one (loopback).
    public let kind: String?
}

extension NetlinkConnection {
    /// `ip link add NAME type KIND`: `RTM_NEWLINK` with `NLM_F_CREATE | NLM_F_EXCL`.
    public func createLink(name: String, kind: String) throws(NetlinkError) {
        let message = NetlinkMessage(
            type: NetlinkMessageType.RTM_NEWLINK,
            flags: NetlinkFlags.NLM_F_REQUEST | NetlinkFlags.NLM_F_ACK | NetlinkFlags.NLM_F_CREATE
                | NetlinkFlags.NLM_F_EXCL,
            capacity: 256)
        _ = message.putExtraHeader(size: NetlinkSize.interfaceInfo)
        message.put(LinkAttribute.IFLA_IFNAME, string: name)
        if let info = message.startNest(LinkAttribute.IFLA_LINKINFO) {
            message.put(LinkAttribute.IFLA_INFO_KIND, string: kind)
            message.endNest(info)
        }
        try acknowledged(message, operation: "create \(kind) link \(name)")
    }

    /// `ip link del NAME`: `RTM_DELLINK` selected by name.
    public func deleteLink(name: String) throws(NetlinkError) {
        let message = NetlinkMessage(
            type: NetlinkMessageType.RTM_DELLINK, flags: NetlinkFlags.NLM_F_REQUEST | NetlinkFlags.NLM_F_ACK,
            capacity: 128)
        _ = message.putExtraHeader(size: NetlinkSize.interfaceInfo)
        message.put(LinkAttribute.IFLA_IFNAME, string: name)
        try acknowledged(message, operation: "delete link \(name)")
    }

    /// Every link of the socket's namespace with its kind (`RTM_GETLINK` dump).
    public func links() throws(NetlinkError) -> [LinkSummary] {
        while true {
            let message = NetlinkMessage(
                type: NetlinkMessageType.RTM_GETLINK, flags: NetlinkFlags.NLM_F_REQUEST | NetlinkFlags.NLM_F_DUMP,
                capacity: 64)
            _ = message.putExtraHeader(size: NetlinkSize.interfaceInfo)
            var result: [LinkSummary] = []
            do {
                try dump(message, operation: "list links") { received in
                    guard received.payload.count >= NetlinkSize.interfaceInfo else { return }
                    let index = received.payload.loadUnaligned(fromByteOffset: 4, as: Int32.self)
                    var name = ""
                    var kind: String?
                    for attr in received.attributes(after: NetlinkSize.interfaceInfo) {
                        switch attr.type {
                        case LinkAttribute.IFLA_IFNAME: name = attr.string
                        case LinkAttribute.IFLA_LINKINFO:
                            for info in attr.nested where info.type == LinkAttribute.IFLA_INFO_KIND { kind = info.string }
                        default: break
                        }
                    }
                    result.append(LinkSummary(index: index, name: name, kind: kind))
                }
                return result
            } catch .dumpInterrupted {
                continue
            }
        }
    }
}
