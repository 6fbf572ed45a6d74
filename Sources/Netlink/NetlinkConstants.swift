/// Netlink constants restated in Swift with their kernel names, so they can be grepped against the
/// UAPI headers (which Swift imports inconsistently: anonymous enums as `Int`, named ones as structs).
public enum NetlinkMessageType {
    public static let NLMSG_NOOP: UInt16 = 1
    public static let NLMSG_ERROR: UInt16 = 2
    public static let NLMSG_DONE: UInt16 = 3
    public static let NLMSG_OVERRUN: UInt16 = 4
    public static let GENL_ID_CTRL: UInt16 = 16
}

public enum NetlinkFlags {
    public static let NLM_F_REQUEST: UInt16 = 0x1
    public static let NLM_F_MULTI: UInt16 = 0x2
    public static let NLM_F_ACK: UInt16 = 0x4
    public static let NLM_F_DUMP_INTR: UInt16 = 0x10
    public static let NLM_F_DUMP: UInt16 = 0x300
    public static let NLM_F_CAPPED: UInt16 = 0x100
    public static let NLM_F_ACK_TLVS: UInt16 = 0x200
}

public enum NetlinkAttributeFlags {
    public static let NLA_F_NESTED: UInt16 = 0x8000
    public static let NLA_F_NET_BYTEORDER: UInt16 = 0x4000
    public static let NLA_TYPE_MASK: UInt16 = 0x3fff
}

public enum NetlinkProtocol: Int32, Sendable {
    case route = 0
    case generic = 16
}

enum NetlinkSocketOption {
    static let NETLINK_CAP_ACK: Int32 = 10
    static let NETLINK_EXT_ACK: Int32 = 11
}

enum ExtendedAckAttribute {
    static let NLMSGERR_ATTR_MSG: UInt16 = 1
    static let NLMSGERR_ATTR_OFFS: UInt16 = 2
}

public enum GenericNetlinkControl {
    public static let CTRL_CMD_GETFAMILY: UInt8 = 3
    public static let CTRL_ATTR_FAMILY_ID: UInt16 = 1
    public static let CTRL_ATTR_FAMILY_NAME: UInt16 = 2
}

/// Sizes of the fixed headers (x86_64 and every other Linux ABI).
public enum NetlinkSize {
    public static let messageHeader = 16
    public static let genericHeader = 4
    public static let attributeHeader = 4
    public static let errorHeader = 20

    @inline(__always) public static func align(_ n: Int) -> Int { (n + 3) & ~3 }
}
