import Firewall
import NodeState
import ZmeshModel

/// The reference for applying one network resource: the same objects as the agent's plan, made with
/// the command-line tools an operator would use — iproute2 (`ip`), `sysctl`, wireguard-go + `wg`,
/// `nft` — as one `bash -e` script. Namespaces are `<prefix>n-<id>`, `<prefix>ndmz` and `<prefix>pub`
/// (the latter two made beforehand, as the agent's first pass makes its ndmz).
struct NodeReferenceScript {
    let prefix: String
    /// A private (0700) directory for the WireGuard configuration (it holds the private key) and the table.
    let directory: String

    func script(for resource: NetworkResourceState) -> (text: String, files: [(path: String, contents: String)]) {
        let nr = prefix + resource.namespace
        let ndmz = prefix + Ownership.ndmzNamespace
        let pub = prefix + "pub"
        let wg = resource.wireGuard.link
        let configPath = "\(directory)/\(wg.name).conf"
        let tablePath = "\(directory)/\(resource.namespace).nft"
        var lines = [
            "set -e",
            "trap 'echo \"failed: $BASH_COMMAND\" >&2' ERR",
            "ip netns add \(nr)",
            "ip -n \(nr) link set lo up",
            "ip netns exec \(nr) sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1",
            "ip -n \(nr) link add \(resource.bridge.name)\(mtu(resource.bridge)) type bridge",
        ]
        lines += addresses(resource.bridge, nr)
        lines.append("ip -n \(nr) link set \(resource.bridge.name) up")
        lines.append(
            "ip -n \(ndmz) link add \(resource.ndmzEnd.name) type veth peer name \(resource.uplink.name) netns \(nr)")
        lines += addresses(resource.ndmzEnd, ndmz)
        lines.append("ip -n \(ndmz) link set \(resource.ndmzEnd.name) up")
        lines += addresses(resource.uplink, nr)
        lines.append("ip -n \(nr) link set \(resource.uplink.name) up")
        lines += [
            "ip netns exec \(pub) env -u WG_PROCESS_FOREGROUND wireguard-go \(wg.name) >/dev/null 2>&1",
            // The daemonised child re-opens the TUN by name in its namespace: move it only once it answers.
            "for i in $(seq 400); do wg show \(wg.name) >/dev/null 2>&1 && break; sleep 0.005; done",
            "ip -n \(pub) link set \(wg.name) netns \(nr)",
            "wg setconf \(wg.name) \(configPath)",
            "ip -n \(nr) link set \(wg.name)\(mtu(wg))",
        ]
        lines += addresses(wg, nr)
        lines.append("ip -n \(nr) link set \(wg.name) up")
        for route in resource.routes {
            let via = route.gateway.map { " via \($0)" } ?? ""
            lines.append("ip -n \(nr) route replace \(route.destination)\(via) dev \(route.device) metric \(route.metric)")
        }
        lines.append("ip netns exec \(nr) nft -f \(tablePath)")
        let config = WireGuardShowFormatter().configurationText(resource.wireGuard.configuration)
        return (lines.joined(separator: "\n") + "\n", [(configPath, config), (tablePath, resource.egress.replaceScript)])
    }

    private func mtu(_ link: LinkState) -> String { link.mtu.map { " mtu \($0)" } ?? "" }

    private func addresses(_ link: LinkState, _ namespace: String) -> [String] {
        link.addresses.sorted { $0.description < $1.description }.map {
            "ip -n \(namespace) addr add \($0) dev \(link.name)"
        }
    }
}
