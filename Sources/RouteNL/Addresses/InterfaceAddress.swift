public import ZmeshModel

/// An address with the prefix length of its subnet, as assigned to an interface
/// (`10.1.1.1/24`, `fd00::1/64`): unlike ``ZmeshModel/IPPrefix`` the host bits are kept.
public struct InterfaceAddress: Sendable, Hashable, Comparable, CustomStringConvertible {
    public let address: IPAddress
    public let prefixLength: Int

    /// - Throws: ``ZmeshModel/ParseError`` when the length does not fit the family.
    public init(_ address: IPAddress, prefixLength: Int) throws(ParseError) {
        guard prefixLength >= 0, prefixLength <= address.bitWidth else {
            throw ParseError(
                kind: "interface address", value: "\(address)/\(prefixLength)",
                reason: IPPrefix.outOfRange(prefixLength, address))
        }
        self.address = address
        self.prefixLength = prefixLength
    }

    /// Parses `ADDRESS/LENGTH` by ``ZmeshModel/IPPrefix``'s rules (surrounding whitespace ignored,
    /// the length in ASCII digits within the family's range) but keeps the host bits; a bare
    /// address is a host address (/32 or /128).
    ///
    /// - Throws: ``ZmeshModel/ParseError`` (kind "interface address") naming the input.
    public init(_ text: some StringProtocol) throws(ParseError) {
        (address, prefixLength) = try IPPrefix.parseUnmasked(text, kind: "interface address")
    }

    /// The subnet (host bits cleared).
    public var subnet: IPPrefix? { try? IPPrefix(address, length: prefixLength) }

    public var isIPv4: Bool { address.isIPv4 }

    public var description: String { "\(address)/\(prefixLength)" }

    public static func < (lhs: Self, rhs: Self) -> Bool {
        lhs.address != rhs.address ? lhs.address < rhs.address : lhs.prefixLength < rhs.prefixLength
    }
}

/// An address assigned to a link, as `ip address show` reports it.
public struct AddressEntry: Sendable, Hashable, CustomStringConvertible {
    /// The index of the link that holds it.
    public let interfaceIndex: Int32
    /// The name of that link (empty when it vanished while listing).
    public let interfaceName: String
    public let address: InterfaceAddress
    /// `IFA_F_*` flags.
    public let flags: AddressFlags
    /// `RT_SCOPE_*`: 0 global, 253 link, 254 host.
    public let scope: UInt8

    public init(interfaceIndex: Int32, interfaceName: String, address: InterfaceAddress, flags: AddressFlags, scope: UInt8) {
        self.interfaceIndex = interfaceIndex
        self.interfaceName = interfaceName
        self.address = address
        self.flags = flags
        self.scope = scope
    }

    public var description: String { "\(address) on \(interfaceName)" }
}

/// Address flags (`IFA_F_*` from `<linux/if_addr.h>`).
public struct AddressFlags: OptionSet, Sendable, Hashable {
    public let rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }

    public static let secondary = AddressFlags(rawValue: 0x01)
    /// No duplicate address detection: usable at once.
    public static let noDAD = AddressFlags(rawValue: 0x02)
    public static let optimistic = AddressFlags(rawValue: 0x04)
    public static let dadFailed = AddressFlags(rawValue: 0x08)
    public static let homeAddress = AddressFlags(rawValue: 0x10)
    public static let deprecated = AddressFlags(rawValue: 0x20)
    /// Duplicate address detection still running: the address is not usable yet.
    public static let tentative = AddressFlags(rawValue: 0x40)
    public static let permanent = AddressFlags(rawValue: 0x80)
    public static let managedTemporaryAddress = AddressFlags(rawValue: 0x100)
    /// No connected route for the subnet.
    public static let noPrefixRoute = AddressFlags(rawValue: 0x200)
}
