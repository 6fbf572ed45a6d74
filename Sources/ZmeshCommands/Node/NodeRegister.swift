public import ArgumentParser
import RegistryClient
import ZmeshCrypto
import ZmeshModel

/// `zmesh node register --identity PATH --farm N [--public-ip IP]… [--used-port P]… [--outbound F]… --registry URL`.
public struct NodeRegister: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "register",
        abstract: "Register (or re-register) a node with a registry: its farm, public addresses and used ports.",
        discussion: """
            A node without --public-ip is hidden (behind NAT): it only dials out and is reached through \
            an access node. Re-registering replaces the farm, addresses and ports. Signed by the node's \
            identity.
            """)

    @Option(help: "The node's identity file (mode 0600).")
    public var identity: String

    @Option(help: "The farm the node belongs to (see 'zmesh node farm-create').")
    public var farm: UInt32

    @Option(name: .customLong("public-ip"), help: "A public address of the node (at most one IPv4 and one IPv6).")
    public var publicIPs: [String] = []

    @Option(name: .customLong("used-port"), help: "A UDP port in use on the node outside zmesh networks.")
    public var usedPorts: [UInt16] = []

    @Option(help: "A family the node can dial out over: ipv4 or ipv6 (default: its addresses' families, else ipv4).")
    public var outbound: [String] = []

    @OptionGroup public var registry: RegistryOptions

    public init() {}

    public func run() async throws {
        var addresses: [IPAddress] = []
        for text in publicIPs {
            do { addresses.append(try IPAddress(text)) } catch { throw ValidationError("--public-ip '\(text)': \(error)") }
        }
        var families: [AddressFamily] = []
        for text in outbound {
            guard let family = AddressFamily(rawValue: text) else {
                throw ValidationError("--outbound '\(text)': expected ipv4 or ipv6")
            }
            families.append(family)
        }
        let node = try IdentityFile.load(from: identity)
        let client = try registry.client(signingAs: node)
        let answer: Registered<Node>
        do {
            answer = try await client.registerNode(
                farm: farm, publicIPs: addresses, usedPorts: usedPorts, outbound: families.isEmpty ? nil : families)
        } catch { throw CommandError(error) }
        let kind = addresses.isEmpty ? "hidden" : "public " + addresses.map(\.description).joined(separator: ", ")
        CommandOutput.write(
            "node \(answer.record.id) \(answer.isNew ? "registered" : "re-registered") in farm \(farm) (\(kind))\n")
    }
}
