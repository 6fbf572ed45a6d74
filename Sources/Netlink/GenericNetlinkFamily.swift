extension NetlinkConnection {
    /// Resolves a generic-netlink family name to its id with `CTRL_CMD_GETFAMILY`.
    /// Returns `nil` when the kernel has no such family (`ENOENT`).
    public func resolveFamily(_ name: String) throws(NetlinkError) -> UInt16? {
        let message = NetlinkMessage(
            type: NetlinkMessageType.GENL_ID_CTRL, flags: NetlinkFlags.NLM_F_REQUEST | NetlinkFlags.NLM_F_ACK,
            capacity: 256)
        message.putGenericHeader(command: GenericNetlinkControl.CTRL_CMD_GETFAMILY, version: 1)
        message.put(GenericNetlinkControl.CTRL_ATTR_FAMILY_NAME, string: name)
        var id: UInt16?
        do {
            try acknowledged(message, operation: "resolve generic netlink family \(name)") { received in
                for attr in received.attributes(after: NetlinkSize.genericHeader)
                where attr.type == GenericNetlinkControl.CTRL_ATTR_FAMILY_ID {
                    id = attr.u16
                }
            }
        } catch .kernel(_, let errno, _, _) where errno == 2 {  // ENOENT: no such family
            return nil
        }
        return id
    }
}
