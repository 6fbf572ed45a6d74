public import ZmeshCrypto

/// The canonical encoding of a deployment: the bytes whose BLAKE2b-256 digest owners sign.
///
/// It depends only on the document's values, never on JSON member order, whitespace or escaping,
/// and covers every field except `signatures`. Byte by byte (all integers big-endian):
///
/// - the 17 bytes `"zmesh deployment"` and 0x00 (domain separation: no other zmesh signature
///   covers a digest of bytes starting so);
/// - `int(schema)`, `int(version)`, `str(owner)`;
/// - `str(network.name)`, `str(network.ipv4_range)`, `str(network.ipv6_range)`;
/// - `count(nodes)`, then per node: `str(id)`, `str(subnet)`, `str(ipv6_subnet)`, `int(listen_port)`,
///   `str(public_key)`, `str(sealed_private_key)`, `count(peers)`, then per peer: `str(public_key)`,
///   `count(allowed_ips)` and `str(prefix)` for each, `opt(str)(endpoint)`, `opt(int)(persistent_keepalive)`;
/// - `count(requests)`, then per request: `str(twin)`, `int(weight)`, `bool(required)`;
/// - `int(weight_required)`.
///
/// where `int` is 8 bytes two's complement, `count` is 4 bytes, `str` is a 4-byte length then the
/// UTF-8 bytes, `bool` is 0x00 or 0x01, and `opt(x)` is 0x00 when absent or 0x01 then `x`.
/// Arrays keep document order.
struct CanonicalEncoder {
    /// The domain-separation prefix.
    static let magic: [UInt8] = Array("zmesh deployment".utf8) + [0]

    private(set) var bytes: [UInt8] = []

    mutating func int(_ value: Int64) {
        let bits = UInt64(bitPattern: value)
        for shift in stride(from: 56, through: 0, by: -8) {
            bytes.append(UInt8(truncatingIfNeeded: bits >> UInt64(shift)))
        }
    }

    mutating func count(_ value: Int) {
        let n = UInt32(clamping: value)
        for shift in stride(from: 24, through: 0, by: -8) {
            bytes.append(UInt8(truncatingIfNeeded: n >> UInt32(shift)))
        }
    }

    mutating func str(_ value: String) {
        let utf8 = value.utf8
        count(utf8.count)
        bytes.append(contentsOf: utf8)
    }

    mutating func bool(_ value: Bool) { bytes.append(value ? 1 : 0) }

    mutating func optional<T>(_ value: T?, _ encode: (inout CanonicalEncoder, T) -> Void) {
        if let value {
            bytes.append(1)
            encode(&self, value)
        } else {
            bytes.append(0)
        }
    }

    static func encode(_ d: Deployment) -> [UInt8] {
        var e = CanonicalEncoder()
        e.bytes.reserveCapacity(256 + d.nodes.count * 512)
        e.bytes.append(contentsOf: magic)
        e.int(d.schema)
        e.int(d.version)
        e.str(d.owner)
        e.str(d.network.name)
        e.str(d.network.ipv4Range)
        e.str(d.network.ipv6Range)
        e.count(d.nodes.count)
        for node in d.nodes {
            e.str(node.id)
            e.str(node.subnet)
            e.str(node.ipv6Subnet)
            e.int(node.listenPort)
            e.str(node.publicKey)
            e.str(node.sealedPrivateKey)
            e.count(node.peers.count)
            for peer in node.peers {
                e.str(peer.publicKey)
                e.count(peer.allowedIPs.count)
                for prefix in peer.allowedIPs { e.str(prefix) }
                e.optional(peer.endpoint) { $0.str($1) }
                e.optional(peer.persistentKeepalive) { $0.int($1) }
            }
        }
        e.count(d.signatureRequirement.requests.count)
        for request in d.signatureRequirement.requests {
            e.str(request.twin)
            e.int(request.weight)
            e.bool(request.required)
        }
        e.int(d.signatureRequirement.weightRequired)
        return e.bytes
    }
}

extension Deployment {
    /// The canonical encoding of every field but `signatures` (see `docs/deployments.md`).
    public var canonicalBytes: [UInt8] { CanonicalEncoder.encode(self) }

    /// BLAKE2b-256 of ``canonicalBytes``: the 32 bytes every signature signs.
    public var digest: BLAKE2bDigest { BLAKE2b.hash256(canonicalBytes) }
}
