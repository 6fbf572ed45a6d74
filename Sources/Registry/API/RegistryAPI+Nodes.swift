import Deployments
import Foundation
import Hummingbird
import Logging
import ZmeshCrypto
import ZmeshModel

extension RegistryAPI {
    // MARK: Nodes

    /// Most `used_ports` entries a registration may list.
    static let maximumUsedPorts = 4096

    func registerNode(_ request: Request) async throws -> Response {
        let bytes = try await body(of: request)
        let claim = try authenticator.claim(request.headers)
        let registration = try decode(NodeRegistration.self, bytes, what: "node registration")
        let (id, key) = try selfCertified(idText: registration.id, keyText: registration.publicKey)
        guard claim.signer == id else {
            throw RegistryError(.forbidden, "wrong_identity", "a node registers itself: the request is signed by \(claim.signer)")
        }
        let publicIPs = try Self.publicIPs(registration.publicIPs)
        let usedPorts = try Self.usedPorts(registration.usedPorts ?? [])
        let outbound = try Self.outbound(registration.outbound ?? [])
        try authenticator.verify(
            claim, key: key, method: request.method.rawValue, target: request.uri.string, body: bytes)
        guard try await store.farm(registration.farm) != nil else {
            throw RegistryError(.unprocessableContent, "unknown_farm", "farm: no farm \(registration.farm) is registered")
        }
        let now = configuration.clock()
        let record = NodeRecord(
            id: id, farm: registration.farm, publicKey: key, publicIPs: publicIPs, usedPorts: usedPorts,
            outbound: outbound, updatedAt: now, lastSeen: now)
        let isNew = try await store.putNode(record)
        _ = lastSeen.record(id, at: now)
        return json(isNew ? .created : .ok, NodeBody(record, lastSeen: now))
    }

    func node(_ context: BasicRequestContext) async throws -> Response {
        let id = try identityParameter(context)
        guard let record = try await store.node(id) else {
            throw RegistryError(.notFound, "unknown_node", "no node \(id) is registered")
        }
        return json(.ok, NodeBody(record, lastSeen: latestSeen(id, stored: record.lastSeen)))
    }

    /// Notes an authenticated request of `node`: in memory always, in the store at most once a minute.
    func sawNode(_ node: IdentityID) async throws {
        let now = configuration.clock()
        if lastSeen.record(node, at: now) { try await store.touchNode(node, at: now) }
    }

    /// The later of the stored and the in-memory last-seen time.
    func latestSeen(_ node: IdentityID, stored: Int64?) -> Int64? {
        switch (stored, lastSeen.latest(node)) {
        case (let a?, let b?): max(a, b)
        case (let a, let b): a ?? b
        }
    }

    // MARK: Node facts

    /// Canonical public addresses: literals (no port, no zone), reachable from elsewhere, at most one per family;
    /// IPv4 first.
    static func publicIPs(_ texts: [String]) throws(RegistryError) -> [String] {
        var v4: IPv4Address?
        var v6: IPv6Address?
        for (i, text) in texts.enumerated() {
            let member = "public_ips[\(i)]"
            guard let address = try? IPAddress(text) else {
                throw RegistryError(
                    .badRequest, "bad_public_ip", "\(member): '\(text)' is not an IPv4 or IPv6 address (no port, no zone)")
            }
            if let reason = unusableReason(address) {
                throw RegistryError(.badRequest, "bad_public_ip", "\(member): \(address) is \(reason)")
            }
            switch address {
            case .v4(let a):
                guard v4 == nil else {
                    throw RegistryError(.badRequest, "bad_public_ip", "\(member): a node has at most one public IPv4 address")
                }
                v4 = a
            case .v6(let a):
                guard v6 == nil else {
                    throw RegistryError(.badRequest, "bad_public_ip", "\(member): a node has at most one public IPv6 address")
                }
                v6 = a
            }
        }
        return [v4?.description, v6?.description].compactMap { $0 }
    }

    /// Why another node could never reach `address`, or nil.
    static func unusableReason(_ address: IPAddress) -> String? {
        let b = address.bytes
        switch address {
        case .v4:
            if b[0] == 0 { return "in 0.0.0.0/8 (this host)" }
            if b[0] == 127 { return "a loopback address" }
            if b[0] == 169 && b[1] == 254 { return "a link-local address" }
            if b[0] >= 224 { return "a multicast, reserved or broadcast address" }
        case .v6:
            if b.allSatisfy({ $0 == 0 }) { return "the unspecified address" }
            if b[0..<15].allSatisfy({ $0 == 0 }) && b[15] == 1 { return "the loopback address" }
            if b[0] == 0xff { return "a multicast address" }
            if b[0] == 0xfe && b[1] & 0xc0 == 0x80 { return "a link-local address" }
            if b[0..<10].allSatisfy({ $0 == 0 }) && b[10] == 0xff && b[11] == 0xff {
                return "an IPv4-mapped address (give the IPv4 address itself)"
            }
        }
        return nil
    }

    /// Ports in use, 1–65535, sorted, without duplicates.
    static func usedPorts(_ ports: [UInt16]) throws(RegistryError) -> [UInt16] {
        guard ports.count <= maximumUsedPorts else {
            throw RegistryError(.badRequest, "bad_used_ports", "used_ports lists more than \(maximumUsedPorts) ports")
        }
        if let i = ports.firstIndex(of: 0) {
            throw RegistryError(.badRequest, "bad_used_ports", "used_ports[\(i)]: port 0 is not a port")
        }
        return Array(Set(ports)).sorted()
    }

    /// Outbound families, `ipv4` then `ipv6`, each at most once.
    static func outbound(_ families: [String]) throws(RegistryError) -> [String] {
        for (i, family) in families.enumerated() {
            guard family == "ipv4" || family == "ipv6" else {
                throw RegistryError(.badRequest, "bad_outbound", "outbound[\(i)]: '\(family)' is neither ipv4 nor ipv6")
            }
            guard !families[..<i].contains(family) else {
                throw RegistryError(.badRequest, "bad_outbound", "outbound[\(i)]: \(family) is listed twice")
            }
        }
        return ["ipv4", "ipv6"].filter(families.contains)
    }
}
