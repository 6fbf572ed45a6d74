import ZmeshCrypto
import ZmeshModel

extension MeshPlan {
    /// The plan for people: the network, every node (with its peers unless `peers` is false), every
    /// access, which access node serves whom, and the notes. The same plan always gives the same text.
    public func text(peers includePeers: Bool = true) -> String {
        var out: [String] = []
        let publicCount = publicNodeIndices.count
        out.append("network \(network.name)  id \(network.id)  owner \(network.owner)")
        out.append(
            "ranges \(network.ipv4Range)  \(network.ipv6Range)  interfaces \(network.wireGuardInterface), "
                + "\(network.bridgeInterface) in \(network.namespaceName)")
        out.append(
            "nodes \(nodes.count) (\(publicCount) public, \(nodes.count - publicCount) hidden), "
                + "accesses \(accesses.count), peer entries \(peerEntryCount)")
        for (i, node) in nodes.enumerated() {
            out.append("")
            out.append(
                "node \(node.id)  \(node.isPublic ? "public" : "hidden via \(node.accessNode?.rawValue ?? "?")")")
            out.append(
                "  subnet \(node.subnet)  \(node.ipv6Subnet)  wireguard \(node.wireGuardInterfaceAddress)  "
                    + "port \(node.listenPort)")
            if !node.endpoints.isEmpty {
                out.append("  endpoints " + node.endpoints.map(\.description).joined(separator: "  "))
            }
            out.append("  routes " + node.routes.map(\.description).joined(separator: ", "))
            guard includePeers else { continue }
            for peer in peers(ofNodeAt: i) {
                var line = "  peer \(peer.target)  \(peer.publicKey)"
                if let endpoint = peer.endpoint { line += "  endpoint \(endpoint)" }
                if peer.persistentKeepalive > 0 { line += "  keepalive \(peer.persistentKeepalive)" }
                out.append(line)
                out.append("    allowed " + peer.allowedIPs.map(\.description).joined(separator: ", "))
            }
        }
        for access in accesses {
            out.append("")
            out.append("access \(access.name)  via \(access.accessNode)  \(access.endpoint)  key \(access.publicKey)")
            out.append(
                "  subnet \(access.subnet)  \(access.ipv6Subnet)  address "
                    + access.interfaceAddresses.map(\.description).joined(separator: ", "))
        }
        out.append("")
        out.append(contentsOf: accessSummary())
        if !notes.isEmpty {
            out.append("")
            out.append("changes")
            out += notes.map { "  " + $0 }
        }
        return out.joined(separator: "\n") + "\n"
    }

    /// One line per access node: the hidden nodes and accesses it serves.
    public func accessSummary() -> [String] {
        var lines = ["access nodes"]
        var any = false
        for node in publicNodes where !node.servedNodes.isEmpty || !node.servedAccesses.isEmpty {
            any = true
            var parts: [String] = []
            if !node.servedNodes.isEmpty {
                parts.append("hidden nodes " + node.servedNodes.map(\.rawValue).joined(separator: ", "))
            }
            if !node.servedAccesses.isEmpty { parts.append("accesses " + node.servedAccesses.joined(separator: ", ")) }
            lines.append("  \(node.id) serves " + parts.joined(separator: "; "))
        }
        if !any { lines.append("  none (no hidden node, no access)") }
        return lines
    }
}
