import Deployments
import ZmeshCrypto
import ZmeshModel

extension PlanBuilder {
    /// The IPv6 range to use, after checking both ranges.
    static func checkedRanges(_ spec: NetworkSpec) throws(PlanError) -> IPPrefix {
        let range = spec.ipv4Range
        guard range.isIPv4, Deployment.ipv4RangeLengths.contains(range.length) else {
            throw .invalidRange(range)
        }
        if let reserved = ReservedRanges.reservedRange(overlapping: range) {
            throw .reservedRange(range, reserved: reserved)
        }
        guard let ipv6 = spec.ipv6Range else { return UniqueLocalRange.derived(from: spec.networkID) }
        let ula = ReservedRanges.uniqueLocalIPv6
        guard !ipv6.isIPv4, ipv6.length == 48, ula.contains(ipv6.address) else { throw .invalidIPv6Range(ipv6) }
        return ipv6
    }

    /// Checks ids, keys, endpoints and names of members already sorted (nodes by id, accesses by name).
    static func checkMembers(nodes: [NodeSpec], accesses: [AccessRequest]) throws(PlanError) {
        var keys: [WireGuardKey: String] = [:]
        keys.reserveCapacity(nodes.count + accesses.count)
        func claim(_ key: WireGuardKey, _ member: String) throws(PlanError) {
            guard !key.isZero else { throw .zeroPublicKey(member) }
            if let first = keys.updateValue(member, forKey: key) {
                throw .duplicatePublicKey(first: first, second: member)
            }
        }
        for (i, node) in nodes.enumerated() {
            if i > 0, nodes[i - 1].id == node.id { throw .duplicateNode(node.id) }
            try claim(node.publicKey, "node \(node.id)")
            for family in node.endpointFamilies {
                guard let address = node.endpointAddress(family) else { continue }
                if isUnusableEndpoint(address) { throw .invalidEndpoint(node: node.id, address: address) }
            }
            if !node.isPublic, node.dialFamilies.isEmpty { throw .noOutboundFamily(node: node.id) }
        }
        for (i, access) in accesses.enumerated() {
            guard AccessRequest.isValidName(access.name) else { throw .invalidAccessName(access.name) }
            if i > 0, accesses[i - 1].name == access.name { throw .duplicateAccess(access.name) }
            try claim(access.publicKey, "access '\(access.name)'")
        }
    }

    /// Unspecified and multicast addresses are no endpoints (the deployment validator refuses them).
    static func isUnusableEndpoint(_ address: IPAddress) -> Bool {
        let bytes = address.bytes
        if bytes.allSatisfy({ $0 == 0 }) { return true }
        return address.isIPv4 ? bytes[0] >= 224 && bytes[0] < 240 : bytes[0] == 0xff
    }

    /// Refuses a pair of public nodes that cannot dial each other either way. Nodes with the same
    /// endpoint and outbound families behave alike, so one pair per combination of such profiles is
    /// checked (the lowest ids, so the error is the same every time).
    static func checkPublicMesh(_ nodes: [NodeSpec]) throws(PlanError) {
        var representatives: [(profile: Int, node: NodeSpec)] = []
        for node in nodes where node.isPublic {
            let profile = familyMask(node.endpointFamilies) << 2 | familyMask(node.dialFamilies)
            if !representatives.contains(where: { $0.profile == profile }) { representatives.append((profile, node)) }
        }
        for (i, a) in representatives.enumerated() {
            for b in representatives[i...] {
                let aDialsB = b.node.endpointFamilies.contains { a.node.dialFamilies.contains($0) }
                let bDialsA = a.node.endpointFamilies.contains { b.node.dialFamilies.contains($0) }
                if !aDialsB && !bDialsA {
                    let (first, second) = a.node.id < b.node.id ? (a.node, b.node) : (b.node, a.node)
                    throw .publicNodesCannotConnect(first.id, second.id)
                }
            }
        }
    }

    /// Bit 0 for IPv4, bit 1 for IPv6.
    static func familyMask(_ families: some Sequence<IPFamily>) -> Int {
        families.reduce(0) { $0 | ($1 == .ipv4 ? 1 : 2) }
    }
}
