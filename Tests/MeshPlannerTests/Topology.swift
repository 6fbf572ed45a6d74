import MeshPlanner
import ZmeshCrypto
import ZmeshModel

/// Random topologies for property tests, all drawn from one seed.
struct Topology {
    var rng: SplitMix64
    var serial: UInt64 = 0

    init(seed: UInt64) { rng = SplitMix64(seed: seed) }

    /// A random node: hidden with probability `hiddenShare`; public nodes are IPv4-only, dual-stack or
    /// IPv6-only (the latter dialling IPv4 through NAT as well, so that they can reach IPv4-only nodes);
    /// hidden nodes dial IPv4, IPv6 or both. Some nodes have ports in use.
    mutating func node(hiddenShare: Double) -> NodeSpec {
        serial += 1
        let id = Fixtures.id(using: &rng)
        let key = Fixtures.key(using: &rng)
        let hidden = Double.random(in: 0..<1, using: &rng) < hiddenShare
        var used: Set<UInt16> = []
        if Int.random(in: 0..<4, using: &rng) == 0 {
            for _ in 0..<Int.random(in: 1...20, using: &rng) {
                used.insert(UInt16.random(in: 1024...32767, using: &rng))
            }
        }
        if hidden {
            let outbound: Set<IPFamily> =
                switch Int.random(in: 0..<10, using: &rng) {
                case 0: [.ipv6]
                case 1, 2: [.ipv4, .ipv6]
                default: [.ipv4]
                }
            return NodeSpec(id: id, publicKey: key, outbound: outbound, usedPorts: used)
        }
        let n = serial
        let ipv4 = IPv4Address(198 << 24 | 18 << 16 | UInt32(truncatingIfNeeded: n & 0xffff))
        let ipv6 = IPv6Address(high: 0x2001_0db8_0000_0000, low: n)
        switch Int.random(in: 0..<20, using: &rng) {
        case 0..<10: return NodeSpec(id: id, publicKey: key, ipv4Endpoint: ipv4, usedPorts: used)
        case 10..<17: return NodeSpec(id: id, publicKey: key, ipv4Endpoint: ipv4, ipv6Endpoint: ipv6, usedPorts: used)
        default:
            return NodeSpec(id: id, publicKey: key, ipv6Endpoint: ipv6, outbound: [.ipv4, .ipv6], usedPorts: used)
        }
    }

    /// A random spec of `count` nodes (at least one dual-stack public node, so every member can be
    /// served), with a range just big enough or bigger, and up to `maxAccesses` accesses.
    mutating func spec(count: Int, hiddenShare: Double, maxAccesses: Int = 3) -> NetworkSpec {
        var nodes = (0..<count).map { _ in node(hiddenShare: hiddenShare) }
        if !nodes.isEmpty {
            let i = Int.random(in: 0..<nodes.count, using: &rng)
            nodes[i].ipv4Endpoint = IPv4Address(203 << 24 | 113 << 8 | 1)
            nodes[i].ipv6Endpoint = IPv6Address(high: 0x2001_0db8_ffff_0000, low: 1)
            nodes[i].outbound = nil
        }
        let accesses = (0..<Int.random(in: 0...maxAccesses, using: &rng)).map { k in
            AccessRequest(
                name: "laptop-\(k)", publicKey: Fixtures.key(using: &rng),
                family: Int.random(in: 0..<4, using: &rng) == 0 ? .ipv6 : .ipv4)
        }
        return NetworkSpec(
            name: Fixtures.name("net-\(rng.next() % 1000)"), owner: Fixtures.id(using: &rng),
            ipv4Range: range(fitting: nodes.count + accesses.count + count / 4 + 4), nodes: nodes, accesses: accesses)
    }

    /// A random range inside 10.0.0.0/8 with room for `members` /24s (and sometimes much more).
    mutating func range(fitting members: Int) -> IPPrefix {
        var length = 22
        while length > 8, (1 << (24 - length)) - 2 < members { length -= 1 }
        length = Int.random(in: max(8, length - 3)...length, using: &rng)
        let blocks = UInt32(1) << UInt32(length - 8)
        let base = 10 << 24 | UInt32.random(in: 0..<blocks, using: &rng) << UInt32(32 - length)
        guard let prefix = try? IPPrefix(.v4(IPv4Address(base)), length: length) else {
            preconditionFailure("a range of length 8–22 is valid")
        }
        return prefix
    }

    /// `spec` with some nodes and accesses removed and new ones added.
    mutating func changed(_ spec: NetworkSpec, hiddenShare: Double) -> NetworkSpec {
        var next = spec
        let removeShare = Double.random(in: 0..<0.3, using: &rng)
        next.nodes = spec.nodes.filter { _ in Double.random(in: 0..<1, using: &rng) >= removeShare }
        let room = capacity(of: spec.ipv4Range) - next.nodes.count - spec.accesses.count - 2
        let added = min(Int.random(in: 0...max(1, spec.nodes.count / 5), using: &rng), max(room, 0))
        next.nodes += (0..<added).map { _ in node(hiddenShare: hiddenShare) }
        if !next.nodes.contains(where: { $0.ipv4Endpoint != nil && $0.ipv6Endpoint != nil }) {
            next.nodes.append(
                NodeSpec(
                    id: Fixtures.id(using: &rng), publicKey: Fixtures.key(using: &rng),
                    ipv4Endpoint: IPv4Address(203 << 24 | 113 << 8 | 2),
                    ipv6Endpoint: IPv6Address(high: 0x2001_0db8_ffff_0000, low: 2)))
        }
        // A few nodes change: a public node moves to a new address, goes hidden, or a hidden node goes public.
        for i in next.nodes.indices where Int.random(in: 0..<25, using: &rng) == 0 {
            serial += 1
            if next.nodes[i].ipv4Endpoint != nil {
                if Bool.random(using: &rng) {
                    next.nodes[i].ipv4Endpoint = IPv4Address(198 << 24 | 19 << 16 | UInt32(truncatingIfNeeded: serial))
                } else {
                    next.nodes[i].ipv4Endpoint = nil
                    next.nodes[i].ipv6Endpoint = nil
                    next.nodes[i].outbound = nil
                }
            } else if next.nodes[i].ipv6Endpoint == nil {
                next.nodes[i].ipv4Endpoint = IPv4Address(198 << 24 | 20 << 16 | UInt32(truncatingIfNeeded: serial))
                next.nodes[i].outbound = nil
            }
        }
        next.accesses = spec.accesses.filter { _ in Bool.random(using: &rng) }
        if Bool.random(using: &rng) {
            next.accesses.append(AccessRequest(name: "phone-\(serial)", publicKey: Fixtures.key(using: &rng)))
        }
        next.nodes.shuffle(using: &rng)
        return next
    }

    func capacity(of range: IPPrefix) -> Int { (1 << (24 - Int(range.length))) - 2 }
}
