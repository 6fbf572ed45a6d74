public import ZmeshCrypto
public import ZmeshModel

/// A user's device (a laptop, a phone) that joins the network through one access node with a
/// wg-quick file.
///
/// The request carries the device's WireGuard public key, never its private key: the access node must
/// list the device as a peer, and the private key stays with the user (``MeshPlan/accessFile(_:privateKey:)``
/// writes it into the file only when the caller supplies it).
public struct AccessRequest: Sendable, Hashable {
    /// A name for the access, unique in the network: `^[a-z0-9][a-z0-9-]{0,31}$`.
    public var name: String
    /// The device's WireGuard public key.
    public var publicKey: WireGuardKey
    /// The family the device dials its access node over (IPv4 by default: most laptops sit behind an
    /// IPv4 NAT).
    public var family: IPFamily
    /// The access node, when the user chooses it; otherwise the planner picks one.
    public var accessNode: IdentityID?

    /// Memberwise.
    public init(name: String, publicKey: WireGuardKey, family: IPFamily = .ipv4, accessNode: IdentityID? = nil) {
        self.name = name
        self.publicKey = publicKey
        self.family = family
        self.accessNode = accessNode
    }

    /// Whether `name` is a valid access name: 1–32 characters a–z, 0–9 and '-', not starting with '-'.
    public static func isValidName(_ name: String) -> Bool {
        let utf8 = Array(name.utf8)
        let alphanumeric = { (c: UInt8) in
            (c >= UInt8(ascii: "a") && c <= UInt8(ascii: "z")) || (c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9"))
        }
        guard let first = utf8.first, alphanumeric(first), utf8.count <= 32 else { return false }
        return utf8.allSatisfy { alphanumeric($0) || $0 == UInt8(ascii: "-") }
    }
}
