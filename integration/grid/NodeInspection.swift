import Deployments
import Foundation
import SystemSupport

/// Reading a simulated node's kernel and WireGuard state from outside the agent: `wg`, `ip -j`, the
/// node's processes.
extension SimulatedNode {
    /// `wg show w-<id> FIELD`, run in the network's `n-<id>`: the kernel's `w-<id>` lives there, and
    /// wireguard-go's UAPI socket is in the node's private `/run/wireguard`, which every one of the
    /// node's namespaces sees — so it reads either backend.
    public func wireGuardShow(network: NetworkID, _ field: String) throws(GridError) -> String {
        try run(inNamespace: network.namespaceName, [GridEnvironment.path("wg"), "show", "w-" + network.rawValue, field])
            .output()
    }

    /// `wg show w-<id> latest-handshakes`: peer public key → Unix time of the latest handshake (0: never).
    public func latestHandshakes(network: NetworkID) throws(GridError) -> [String: Int64] {
        let text = try wireGuardShow(network: network, "latest-handshakes")
        var result: [String: Int64] = [:]
        for line in text.split(separator: "\n") {
            let fields = line.split(whereSeparator: { $0 == "\t" || $0 == " " })
            if fields.count == 2, let time = Int64(fields[1]) { result[String(fields[0])] = time }
        }
        return result
    }

    /// `wg show w-<id> listen-port`.
    public func wireGuardListenPort(network: NetworkID) throws(GridError) -> Int? {
        let text = try wireGuardShow(network: network, "listen-port")
        return Int(text.trimmingCharacters(in: .whitespacesAndNewlines))
    }

    /// The interface index of `link` in the node's namespace `namespace` (`nil`: no such link).
    public func interfaceIndex(_ link: String, inNamespace namespace: String) -> Int? {
        guard
            let result = try? run([GridEnvironment.path("ip"), "-n", namespace, "-j", "link", "show", "dev", link]),
            result.succeeded
        else { return nil }
        struct Entry: Decodable { let ifindex: Int }
        return (try? JSONDecoder().decode([Entry].self, from: Data(result.standardOutput.utf8)))?.first?.ifindex
    }

    /// The wireguard-go processes of the node (host PIDs) with their command lines.
    public func wireGuardGoProcesses() -> [ProcessTable.Entry] {
        processes().filter { $0.name == "wireguard-go" }
    }

    /// `nft list tables` in the node's namespace `namespace`.
    public func nftablesTables(inNamespace namespace: String) throws(GridError) -> [String] {
        try run(inNamespace: namespace, [GridEnvironment.path("nft"), "list", "tables"]).output().split(separator: "\n")
            .map(String.init)
    }

    /// `zmesh node status ARGS` in the node (the agent's local view).
    public func nodeStatus(_ arguments: [String] = []) throws(GridError) -> String {
        try zmesh(["node", "status"] + arguments).output()
    }
}
