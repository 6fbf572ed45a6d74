public import ArgumentParser
import Deployments
import NodeAgent
import NodeState
import ZmeshJSON
import ZmeshModel

/// `zmesh node status [--json]`: the network resources on this node, read from the kernel.
public struct NodeStatus: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show the network resources on this node: per network its WireGuard interface and peers.",
        discussion: """
            Local: reads the kernel (no registry). Like 'wg show', per network namespace n-<id>: the \
            interface, its listening port and public key, and each peer's endpoint, allowed IPs, latest \
            handshake and transfer; then the ndmz. Private keys are never shown.
            """)

    @Flag(help: "Print JSON instead of text.")
    public var json = false

    @Option(help: .hidden)
    public var namespacePrefix: String = ""

    public init() {}

    public func run() throws {
        let layout = NodeLayout(namespacePrefix: namespacePrefix)
        let snapshot: NodeSnapshot
        do { snapshot = try NodeReader(layout: layout).read() } catch { throw CommandError(error.description) }
        let now = WGIO.now()
        CommandOutput.write(json ? Self.json(snapshot, now: now) : Self.text(snapshot, now: now))
    }

    /// The NR namespaces of `snapshot` with their network ids, in id order.
    static func resources(_ snapshot: NodeSnapshot) -> [(NetworkIDText, NamespaceSnapshot)] {
        snapshot.namespaces.keys.sorted().compactMap { name in
            guard let id = Ownership.networkID(ofNamespace: name), let namespace = snapshot.namespaces[name] else {
                return nil
            }
            return (NetworkIDText(id: id.rawValue, namespace: name, wireGuard: id.wireGuardInterface), namespace)
        }
    }

    struct NetworkIDText {
        var id: String
        var namespace: String
        var wireGuard: InterfaceName
    }

    static func text(_ snapshot: NodeSnapshot, now: Int64) -> String {
        let formatter = WireGuardShowFormatter()
        var out = ""
        let resources = resources(snapshot)
        if resources.isEmpty { out += "no network resources on this node\n" }
        for (network, namespace) in resources {
            out += "network \(network.id) (namespace \(network.namespace))\n"
            if let device = namespace.wireGuard[network.wireGuard] {
                var text = formatter.pretty(device, now: now)
                if let link = namespace.links[network.wireGuard] {
                    text = text.replacingFirstLine(with: "interface: \(device.name) (\(linkSummary(link)))")
                }
                out += indent(text)
            } else if let link = namespace.links[network.wireGuard] {
                out += "  interface: \(network.wireGuard) (\(linkSummary(link))), not configured\n"
            } else {
                out += "  interface: \(network.wireGuard) missing\n"
            }
            out += "\n"
        }
        if let ndmz = snapshot.namespaces[Ownership.ndmzNamespace] {
            let uplinks = ndmz.links.keys.filter { Ownership.networkID(ofNDMZInterface: $0) != nil }
            out += "ndmz: \(uplinks.count) network resource link\(uplinks.count == 1 ? "" : "s")"
            out += ", forwarding \(ndmz.settings[.ipv4Forwarding] == "1" ? "on" : "off")\n"
        } else {
            out += "ndmz: missing\n"
        }
        return out
    }

    static func linkSummary(_ link: ObservedLink) -> String {
        let addresses = link.addresses.filter { !$0.isIPv6LinkLocal }.sorted().map(\.description)
        return "\(link.isUp ? "up" : "down"), mtu \(link.mtu)" + (addresses.isEmpty ? "" : ", " + addresses.joined(separator: " "))
    }

    static func indent(_ text: String) -> String {
        text.split(separator: "\n", omittingEmptySubsequences: false).map { $0.isEmpty ? "" : "  " + $0 }
            .joined(separator: "\n")
    }

    static func json(_ snapshot: NodeSnapshot, now: Int64) -> String {
        let networks: [JSONValue] = resources(snapshot).map { network, namespace in
            var members = [
                JSONMember("id", .string(network.id)), JSONMember("namespace", .string(network.namespace)),
                JSONMember("interface", .string(network.wireGuard.rawValue)),
            ]
            if let link = namespace.links[network.wireGuard] {
                members.append(JSONMember("up", .bool(link.isUp)))
                members.append(JSONMember("mtu", .integer(link.mtu)))
                members.append(
                    JSONMember(
                        "addresses",
                        .array(link.addresses.filter { !$0.isIPv6LinkLocal }.sorted().map { .string($0.description) })))
            }
            if let device = namespace.wireGuard[network.wireGuard] {
                members.append(JSONMember("listen_port", .integer(device.listenPort)))
                if let key = device.publicKey { members.append(JSONMember("public_key", .string(key.base64))) }
                members.append(JSONMember("peers", .array(device.peers.map { peerJSON($0, now: now) })))
            }
            return .object(members)
        }
        var root = [JSONMember("networks", .array(networks))]
        if let ndmz = snapshot.namespaces[Ownership.ndmzNamespace] {
            let uplinks = ndmz.links.keys.compactMap { Ownership.networkID(ofNDMZInterface: $0)?.rawValue }.sorted()
            root.append(JSONMember("ndmz", .object([JSONMember("links", .array(uplinks.map { .string($0) }))])))
        } else {
            root.append(JSONMember("ndmz", .null))
        }
        return JSONWriter(pretty: true).write(.object(root)) + "\n"
    }

    static func peerJSON(_ peer: PeerStatus, now: Int64) -> JSONValue {
        var members = [JSONMember("public_key", .string(peer.publicKey.base64))]
        if let endpoint = peer.configuration.endpoint { members.append(JSONMember("endpoint", .string("\(endpoint)"))) }
        members.append(JSONMember("allowed_ips", .array(peer.configuration.allowedIPs.map { .string($0.description) })))
        if let handshake = peer.lastHandshake, handshake.seconds != 0 {
            members.append(JSONMember("latest_handshake", .integer(handshake.seconds)))
            members.append(JSONMember("handshake_age_seconds", .integer(max(0, now - handshake.seconds))))
        } else {
            members.append(JSONMember("latest_handshake", .null))
        }
        members.append(JSONMember("rx_bytes", .integer(peer.receivedBytes)))
        members.append(JSONMember("tx_bytes", .integer(peer.transmittedBytes)))
        if peer.configuration.persistentKeepalive != 0 {
            members.append(JSONMember("persistent_keepalive", .integer(peer.configuration.persistentKeepalive)))
        }
        return .object(members)
    }
}

extension String {
    /// This text with its first line replaced by `line`.
    fileprivate func replacingFirstLine(with line: String) -> String {
        guard let end = firstIndex(of: "\n") else { return line }
        return line + self[end...]
    }
}
