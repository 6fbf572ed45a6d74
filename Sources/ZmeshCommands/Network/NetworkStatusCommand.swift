public import ArgumentParser
import Deployments
import RegistryClient
import ZmeshCrypto

#if canImport(Glibc)
import Glibc
#endif

/// `zmesh network status NAME --registry URL (--owner ID | --identity PATH)`.
public struct NetworkStatusCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show which version each node of a network applied, its state and its peers' health.",
        discussion: "Read from the registry, where nodes report their state; public, so no signature is needed.")

    @Argument(help: "The network's name.")
    public var name: String

    @Option(help: "The network's owner twin id.")
    public var owner: String?

    @Option(help: "An identity file whose id is the owner (instead of --owner).")
    public var identity: String?

    @OptionGroup public var registry: RegistryOptions

    public init() {}

    public func run() async throws {
        let network = try Self.networkName(name)
        let ownerID: IdentityID
        if let owner {
            ownerID = try Self.owner(owner, default: nil)
        } else if let identity {
            ownerID = try IdentityFile.load(from: identity).id
        } else {
            throw ValidationError("give the network's owner: --owner ID or --identity PATH")
        }
        let client = try registry.client(signingAs: nil)
        let status: NetworkStatus
        do { status = try await client.networkStatus(owner: ownerID, network: network.rawValue) } catch {
            if error.code == "unknown_deployment" { throw CommandError("network \(network) of \(ownerID) is not deployed") }
            throw CommandError(error)
        }
        CommandOutput.write(Self.text(status, now: Int64(time(nil))))
    }

    /// The table: one line per node, then one per peer.
    static func text(_ status: NetworkStatus, now: Int64) -> String {
        var out = "network \(status.network)  owner \(status.owner)  version \(status.version)\n"
        let applied = status.nodes.filter { $0.state == .applied && $0.version == status.version }.count
        out += "nodes \(status.nodes.count), \(applied) on version \(status.version)\n"
        for node in status.nodes {
            let version = node.version.map { "v\($0)" } ?? "-"
            out += "\nnode \(node.id)  \(node.state.rawValue) \(version)  last seen \(age(node.lastSeen, now: now))\n"
            if let error = node.error { out += "  error: \(error)\n" }
            for peer in node.peers {
                let handshake = peer.lastHandshake == 0 ? "no handshake" : "handshake \(age(peer.lastHandshake, now: now))"
                let endpoint = peer.endpoint.map { "  endpoint \($0)" } ?? ""
                out += "  peer \(peer.publicKey)\(endpoint)  \(handshake)  rx \(peer.rxBytes) B  tx \(peer.txBytes) B\n"
            }
        }
        return out
    }

    /// "42 s ago", "never".
    static func age(_ time: Int64?, now: Int64) -> String {
        guard let time, time > 0 else { return "never" }
        let seconds = max(0, now - time)
        if seconds < 120 { return "\(seconds) s ago" }
        if seconds < 7200 { return "\(seconds / 60) min ago" }
        return "\(seconds / 3600) h ago"
    }

    static func networkName(_ text: String) throws -> NetworkName {
        do { return try NetworkName(text) } catch { throw ValidationError("network name '\(text)': \(error)") }
    }

    static func owner(_ text: String?, default fallback: IdentityID?) throws -> IdentityID {
        guard let text else {
            guard let fallback else { throw ValidationError("give the network's owner with --owner") }
            return fallback
        }
        do { return try IdentityID(text) } catch { throw ValidationError("--owner '\(text)': \(error)") }
    }
}
