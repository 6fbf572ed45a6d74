/// Link operations that select an existing link by name: moving it to another network namespace and
/// bringing it up. Both are `RTM_NEWLINK` without `NLM_F_CREATE` (what iproute2 sends), with
/// `ifi_index` 0 and `IFLA_IFNAME` as the selector.
extension NetlinkConnection {
    /// `ip link set NAME netns FD`: moves the link named `name` (in the socket's namespace) into the
    /// namespace that `namespaceFD` (an fd opened on `/run/netns/NAME` or `/proc/PID/ns/net`) refers to.
    ///
    /// The link arrives down, without addresses or routes, and may get another ifindex. A WireGuard
    /// link or a wireguard-go TUN keeps its UDP socket where it was created. Fails with `EEXIST` when
    /// the target already has a link of that name.
    public func moveLink(name: String, toNamespaceFD namespaceFD: Int32) throws(NetlinkError) {
        let message = LinkSelector.request(name: name)
        message.put(LinkSelector.IFLA_NET_NS_FD, u32: UInt32(bitPattern: namespaceFD))
        try acknowledged(message, operation: "move link \(name) to another network namespace")
    }

    /// `ip link set NAME up`: sets `IFF_UP` with `ifi_change = IFF_UP`, so no other flag changes.
    public func setLinkUp(name: String) throws(NetlinkError) {
        let message = LinkSelector.request(name: name, flags: LinkSelector.IFF_UP, change: LinkSelector.IFF_UP)
        try acknowledged(message, operation: "set link \(name) up")
    }
}

/// Builds `RTM_NEWLINK` requests that change an existing link chosen by name.
private enum LinkSelector {
    /// `IFLA_NET_NS_FD` (u32): the namespace to move the link to, as an open fd.
    static let IFLA_NET_NS_FD: UInt16 = 28
    static let IFF_UP: UInt32 = 0x1

    static func request(name: String, flags: UInt32 = 0, change: UInt32 = 0) -> NetlinkMessage {
        let message = NetlinkMessage(
            type: NetlinkMessageType.RTM_NEWLINK, flags: NetlinkFlags.NLM_F_REQUEST | NetlinkFlags.NLM_F_ACK,
            capacity: 128)
        // struct ifinfomsg: family u8, pad u8, type u16, index s32 (0: select by IFLA_IFNAME), flags u32, change u32.
        let header = message.putExtraHeader(size: NetlinkSize.interfaceInfo)
        header.storeBytes(of: flags, toByteOffset: 8, as: UInt32.self)
        header.storeBytes(of: change, toByteOffset: 12, as: UInt32.self)
        message.put(LinkAttribute.IFLA_IFNAME, string: name)
        return message
    }
}
