import Deployments
import Foundation
import SystemSupport

/// Everything about one network's resource on a node that a deployment could change, as comparable
/// text (no time-dependent value: handshake ages and byte counters are left out; no private key):
/// `n-<id>`'s addresses (not the links' operational state), routes and nftables table, `w-<id>`'s listen port, public key, peers,
/// allowed IPs and endpoints, the interface indexes of `w-<id>` and `b-<id>`, the node's wireguard-go
/// PIDs, and `zmesh node status` without its handshake and transfer lines.
extension SimulatedNode {
    public func networkView(network: NetworkID) throws -> [String] {
        let ip = GridEnvironment.path("ip")
        let namespace = network.namespaceName, interface = "w-" + network.rawValue
        var lines: [String] = []
        func add(_ label: String, _ text: String) {
            lines += text.split(separator: "\n").map { "\(label): \($0.trimmingCharacters(in: .whitespaces))" }
        }
        // `ip -br addr` without its state column (a bridge goes from UNKNOWN to UP as its port comes up).
        let addresses = try run([ip, "-n", namespace, "-br", "addr"]).output().split(separator: "\n").map { line in
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            return ([fields.first ?? ""] + fields.dropFirst(2)).joined(separator: " ")
        }
        add("addr", addresses.joined(separator: "\n"))
        add("route4", try run([ip, "-n", namespace, "route"]).output())
        add("route6", try run([ip, "-n", namespace, "-6", "route"]).output())
        add("nft", try run(inNamespace: namespace, [GridEnvironment.path("nft"), "list", "table", "inet", "zmesh-nr"]).output())
        for field in ["listen-port", "public-key", "peers", "allowed-ips", "endpoints"] {
            add("wg \(field)", try wireGuardShow(network: network, field))
        }
        lines.append("ifindex w: \(interfaceIndex(interface, inNamespace: namespace).map(String.init) ?? "-")")
        lines.append("ifindex b: \(interfaceIndex("b-" + network.rawValue, inNamespace: namespace).map(String.init) ?? "-")")
        lines.append("wireguard-go: \(wireGuardGoProcesses().map(\.pid).sorted())")
        let status = try nodeStatus().split(separator: "\n").filter { line in
            !line.contains("handshake") && !line.contains("transfer")
        }
        add("status", status.joined(separator: "\n"))
        return lines
    }
}
