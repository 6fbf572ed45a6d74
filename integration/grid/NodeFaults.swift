import Foundation
import SystemSupport

/// Faults a test injects into a simulated node.
extension SimulatedNode {
    /// Binds UDP `port` (IPv4 and IPv6, all addresses) in the node's root network namespace (its
    /// public side, where WireGuard sockets live) and holds it until the returned process is ended with
    /// ``BackgroundProcess/terminateAll()`` (the holder is nsenter's child).
    public func holdUDPPort(_ port: Int) throws -> BackgroundProcess {
        let script = """
            import socket, time
            held = []
            for family, address in ((socket.AF_INET, "0.0.0.0"), (socket.AF_INET6, "::")):
                s = socket.socket(family, socket.SOCK_DGRAM)
                if family == socket.AF_INET6:
                    s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
                s.bind((address, \(port)))
                held.append(s)
            print("holding", flush=True)
            time.sleep(100000)
            """
        let log = "\(grid.directory)/node\(index)-udp\(port).log"
        let process = try grid.command.start(enter + [GridEnvironment.path("python3"), "-c", script], log: log)
        try Poll.require("UDP port \(port) to be held on \(self)", timeout: .seconds(10), detail: { GridCommand.readText(log) }) {
            guard process.isRunning else { throw GridError("hold", "UDP port \(port)", GridCommand.readText(log)) }
            return GridCommand.readText(log).contains("holding")
        }
        return process
    }
}

extension Deployer {
    /// The registry's `last_seen` of `node` (Unix seconds; `nil`: never seen).
    public func lastSeen(_ node: SimulatedNode) throws -> Int64? {
        let result = try grid.runOnLAN([
            GridEnvironment.path("curl"), "-sf", "-m", "5", "\(grid.registryURL)/v1/nodes/\(node.id)",
        ])
        struct Record: Decodable { let last_seen: Int64? }
        return try JSONDecoder().decode(Record.self, from: Data(try result.output().utf8)).last_seen
    }
}
