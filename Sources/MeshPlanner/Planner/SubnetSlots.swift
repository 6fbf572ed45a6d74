import Deployments
import ZmeshModel

/// The /24 subnets of a network's IPv4 range, numbered from 0, and which are taken.
///
/// A slot is usable unless the WireGuard address it derives (`100.64.b.c` for `a.b.c.0/24`) is the
/// network or broadcast address of 100.64.0.0/16 (`100.64.0.0`, `100.64.255.255`): the interface
/// address is assigned as a /16. Slot `i` also names the /64 with subnet id `i` (see ``IPv6Slots``).
struct SubnetSlots {
    let base: UInt32
    let count: Int
    private var table: SlotTable

    /// The slots of `range` (an IPv4 prefix of length 8 to 24).
    init(range: IPPrefix) {
        guard case .v4(let address) = range.address else { preconditionFailure("an IPv4 range") }
        base = address.value
        count = 1 << (24 - Int(range.length))
        table = SlotTable(count: count)
        for slot in 0..<count where !isUsable(slot) { _ = table.claim(slot) }
    }

    /// Whether `slot` may be assigned at all.
    func isUsable(_ slot: Int) -> Bool {
        let wireGuard = wireGuardAddress(slot).value & 0xffff
        return wireGuard != 0 && wireGuard != 0xffff
    }

    /// How many slots may be assigned.
    var usableCount: Int { (0..<count).reduce(0) { $0 + (isUsable($1) ? 1 : 0) } }

    /// The slot of `subnet`, when it is a usable /24 of the range.
    func slot(of subnet: IPPrefix) -> Int? {
        guard subnet.length == 24, case .v4(let address) = subnet.address, address.value >= base else { return nil }
        let slot = Int((address.value - base) >> 8)
        return slot < count && isUsable(slot) ? slot : nil
    }

    /// Takes `slot` if it is free.
    mutating func claim(_ slot: Int) -> Bool { table.claim(slot) }

    /// Takes the lowest free slot.
    mutating func claimLowestFree() -> Int? { table.claimLowestFree() }

    /// Frees `slot` (claimed before).
    mutating func release(_ slot: Int) { table.release(slot) }

    /// The /24 of `slot`.
    func subnet(_ slot: Int) -> IPPrefix {
        guard let prefix = try? IPPrefix(.v4(IPv4Address(base + UInt32(slot) << 8)), length: 24) else {
            preconditionFailure("a /24 prefix is valid")
        }
        return prefix
    }

    /// `100.64.b.c` for slot `a.b.c.0/24`.
    func wireGuardAddress(_ slot: Int) -> IPv4Address {
        ReservedRanges.wireGuardAddress(forSubnetAddress: IPv4Address(base + UInt32(slot) << 8))
    }
}

/// The /64 subnets of a network's IPv6 /48, by subnet id (0–65535), and which are taken.
struct IPv6Slots {
    static let count = 1 << 16
    let high: UInt64
    private var table = SlotTable(count: IPv6Slots.count)

    /// The /64s of `range` (an IPv6 /48).
    init(range: IPPrefix) {
        guard case .v6(let address) = range.address else { preconditionFailure("an IPv6 range") }
        high = address.high
    }

    /// The subnet id of `subnet`, when it is a /64 of the range.
    func slot(of subnet: IPPrefix) -> Int? {
        guard subnet.length == 64, case .v6(let address) = subnet.address, address.high & ~0xffff == high else {
            return nil
        }
        return Int(address.high & 0xffff)
    }

    /// Takes `slot` if it is free.
    mutating func claim(_ slot: Int) -> Bool { table.claim(slot) }

    /// Takes the lowest free subnet id.
    mutating func claimLowestFree() -> Int? { table.claimLowestFree() }

    /// Frees `slot` (claimed before).
    mutating func release(_ slot: Int) { table.release(slot) }

    /// The /64 with subnet id `slot`.
    func subnet(_ slot: Int) -> IPPrefix {
        guard let prefix = try? IPPrefix(.v6(IPv6Address(high: high | UInt64(slot), low: 0)), length: 64) else {
            preconditionFailure("a /64 prefix is valid")
        }
        return prefix
    }
}

/// Which of `count` numbered slots are taken, handing out the lowest free one first: the bookkeeping
/// ``SubnetSlots`` and ``IPv6Slots`` share.
private struct SlotTable {
    private var taken: [Bool]
    private var cursor = 0

    /// `count` free slots.
    init(count: Int) { taken = [Bool](repeating: false, count: count) }

    /// Takes `slot` if it is free.
    mutating func claim(_ slot: Int) -> Bool {
        guard slot >= 0, slot < taken.count, !taken[slot] else { return false }
        taken[slot] = true
        return true
    }

    /// Takes the lowest free slot.
    mutating func claimLowestFree() -> Int? {
        while cursor < taken.count, taken[cursor] { cursor += 1 }
        guard cursor < taken.count else { return nil }
        taken[cursor] = true
        return cursor
    }

    /// Frees `slot` (claimed before).
    mutating func release(_ slot: Int) {
        taken[slot] = false
        cursor = min(cursor, slot)
    }
}
