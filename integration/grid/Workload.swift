import Deployments
import Foundation
import SystemSupport

/// A tenant workload on a simulated node: a network namespace `wl<k>` made *inside* the node's private
/// world (invisible to the host's `/run/netns`), with `eth0` a veth whose other end `wl<k>` is a port
/// of the network resource's bridge `b-<id>` in `n-<id>`; it has an address of the node's /24 (and
/// /64 when the bridge has one) and default routes via the bridge's addresses.
public struct Workload: Sendable, CustomStringConvertible {
    public let node: SimulatedNode
    public let network: NetworkID
    /// The namespace's name inside the node, and the bridge port's name in `n-<id>`.
    public let name: String
    public let ipv4: String
    public let ipv6: String?

    public var description: String { "\(name)@node\(node.index) (\(ipv4))" }

    /// Runs `argv` in the workload's namespace.
    public func run(_ argv: [String], timeout: Duration = .seconds(120)) throws(GridError) -> CommandResult {
        try node.run(inNamespace: name, argv, timeout: timeout)
    }

    /// One echo request to `address` (`ping -c 1 -W <timeout>`): whether the reply came back.
    public func ping(_ address: String, timeoutSeconds: Int = 1) -> Bool {
        (try? run([GridEnvironment.path("ping"), "-n", "-q", "-c", "1", "-W", String(timeoutSeconds), address]).succeeded)
            ?? false
    }

    /// Pings `address` until a reply comes back; the time it took, `nil` after `timeout`.
    public func firstPing(_ address: String, timeout: Duration = .seconds(30)) -> Duration? {
        Poll.until(timeout: timeout, interval: .milliseconds(20)) { ping(address) }
    }

    /// Starts a continuous ping to `address` (an echo request every `interval`), stopped and counted by
    /// ``ContinuousPing/stop()``.
    public func startContinuousPing(to address: String, interval: Duration = .milliseconds(50)) throws(GridError)
        -> ContinuousPing
    {
        try ContinuousPing(from: self, to: address, interval: interval)
    }

    /// Sends `bytes` bytes over TCP to `server` (listening with a Python echo-count server on `port`)
    /// and returns how many the server says it received.
    public func tcpTransfer(to server: Workload, address: String, port: Int = 5201, bytes: Int = 1 << 20) throws -> Int {
        let script = try node.grid.script("tcp.py", Scripts.tcp)
        let python = GridEnvironment.path("python3")
        let listener = try node.grid.command.start(
            server.node.enter(namespace: server.name) + [python, script, "serve", String(port)],
            log: "\(node.grid.directory)/tcp-\(server.name)-node\(server.node.index).log")
        defer { listener.terminateAll() }
        // The listener is up when a connection is accepted; the client retries for a while.
        let sent = try run([python, script, "send", address, String(port), String(bytes)], timeout: .seconds(60)).output()
        guard let count = Int(sent.trimmingCharacters(in: .whitespacesAndNewlines)) else {
            throw GridError("read the TCP transfer count from", "\(self) → \(address)", sent)
        }
        return count
    }
}

extension SimulatedNode {
    /// Makes workload `wl<number>` on this node, attached to `network`'s bridge; its addresses are host
    /// `100 + number` of the bridge's /24 and /64 (read from `b-<id>` in `n-<id>`).
    public func addWorkload(network: NetworkID, number: Int = 1) throws -> Workload {
        let ip = GridEnvironment.path("ip")
        let namespace = network.namespaceName
        let bridge = network.bridgeName
        let (v4, v6) = try bridgeAddresses(network: network)
        guard let v4 else { throw GridError("find the IPv4 address of", "\(bridge) in \(namespace) on \(self)", "none") }
        let name = "wl\(number)"
        let ipv4 = Self.host(100 + number, in: v4.address)
        let ipv6 = v6.map { Self.host6(100 + number, in: $0.address) }
        var script = """
            set -e
            \(ip) netns add \(name)
            \(ip) -n \(namespace) link add \(name) type veth peer name eth0 netns \(name)
            \(ip) -n \(namespace) link set \(name) master \(bridge) up
            \(ip) -n \(name) link set lo up
            \(ip) -n \(name) addr add \(ipv4)/\(v4.prefix) dev eth0
            \(ip) -n \(name) link set eth0 up
            \(ip) -n \(name) route add default via \(v4.address)

            """
        if let v6, let ipv6 {
            script += """
                \(ip) -n \(name) addr add \(ipv6)/\(v6.prefix) dev eth0 nodad
                \(ip) -n \(name) -6 route add default via \(v6.address)

                """
        }
        try shell(script)
        return Workload(node: self, network: network, name: name, ipv4: ipv4, ipv6: ipv6)
    }

    /// Removes workload `workload` (its namespace; the veth goes with it).
    public func removeWorkload(_ workload: Workload) throws(GridError) {
        try run([GridEnvironment.path("ip"), "netns", "delete", workload.name]).output()
    }

    /// The global addresses of `b-<id>` in `n-<id>`: IPv4 and IPv6 (address, prefix length).
    public func bridgeAddresses(network: NetworkID) throws -> (
        ipv4: (address: String, prefix: Int)?, ipv6: (address: String, prefix: Int)?
    ) {
        let text = try run([
            GridEnvironment.path("ip"), "-n", network.namespaceName, "-j", "addr", "show", "dev", network.bridgeName,
        ]).output()
        struct Entry: Decodable {
            struct Address: Decodable {
                let family: String
                let local: String
                let prefixlen: Int
                let scope: String
            }
            let addr_info: [Address]
        }
        let addresses = try JSONDecoder().decode([Entry].self, from: Data(text.utf8)).flatMap(\.addr_info)
        let v4 = addresses.first { $0.family == "inet" }.map { ($0.local, $0.prefixlen) }
        let v6 = addresses.first { $0.family == "inet6" && $0.scope == "global" }.map { ($0.local, $0.prefixlen) }
        return (v4, v6)
    }

    /// Host `number` of the /24 of `address` ("10.20.1.1" → "10.20.1.<number>").
    static func host(_ number: Int, in address: String) -> String {
        (address.split(separator: ".").prefix(3) + [Substring(String(number))]).joined(separator: ".")
    }

    /// Host `number` (hex) of the /64 of `address` ("fd12:…:1::1" → "fd12:…:1::<number in hex>").
    static func host6(_ number: Int, in address: String) -> String {
        let prefix = address.hasSuffix("::1") ? String(address.dropLast(1)) : address + "::"
        return prefix + String(number, radix: 16)
    }
}

extension NetworkID {
    /// `b-<id>`, the workload bridge's name.
    var bridgeName: String { "b-" + rawValue }
}
