import Foundation
import SystemSupport

/// Unsolicited traffic towards a hidden node: a listener in the node that logs what reaches it, and
/// connection attempts from the internet.
public final class PortListener: @unchecked Sendable {
    public let process: BackgroundProcess
    public let log: String

    init(process: BackgroundProcess, log: String) {
        self.process = process
        self.log = log
    }

    /// `"tcp <port> from <address>"` / `"udp <port> from <address>"` for everything received.
    public var received: [String] {
        GridCommand.readText(log).split(separator: "\n").filter { $0.hasPrefix("tcp ") || $0.hasPrefix("udp ") }
            .map(String.init)
    }

    public func stop() { process.terminateAll() }
}

extension SimulatedNode {
    /// Listens in the node's root namespace (its public side) on TCP `tcpPort` and UDP `udpPort`
    /// (IPv4, every address) and logs each connection and datagram; ready when this returns.
    public func startListener(tcpPort: Int, udpPort: Int) throws -> PortListener {
        let script = """
            import select, socket
            t = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            t.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            t.bind(("0.0.0.0", \(tcpPort)))
            t.listen(16)
            u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            u.bind(("0.0.0.0", \(udpPort)))
            print("listening", flush=True)
            while True:
                ready, _, _ = select.select([t, u], [], [])
                for s in ready:
                    if s is t:
                        c, peer = t.accept()
                        print("tcp", \(tcpPort), "from", peer[0], flush=True)
                        c.close()
                    else:
                        _, peer = u.recvfrom(65536)
                        print("udp", \(udpPort), "from", peer[0], flush=True)
            """
        let log = "\(grid.directory)/node\(index)-listener-\(tcpPort).log"
        let process = try grid.command.start(enter + [GridEnvironment.path("python3"), "-c", script], log: log)
        try Poll.require("the listener on \(self)", timeout: .seconds(10), detail: { GridCommand.readText(log) }) {
            guard process.isRunning else { throw GridError("listen on", "\(self)", GridCommand.readText(log)) }
            return GridCommand.readText(log).contains("listening")
        }
        return PortListener(process: process, log: log)
    }
}

extension Grid {
    /// From the internet (the LAN namespace): a TCP connection attempt to `address` on each of
    /// `tcpPorts` (1 s each) and a datagram to each of `udpPorts`. Returns each TCP attempt's
    /// outcome: `port → "connected" | "refused" | "timeout" | "error: …"`.
    public func sendUnsolicited(to address: String, tcpPorts: [Int], udpPorts: [Int]) throws -> [Int: String] {
        let script = """
            import socket, sys
            address = sys.argv[1]
            tcp = [int(p) for p in sys.argv[2].split(",") if p]
            udp = [int(p) for p in sys.argv[3].split(",") if p]
            for port in udp:
                s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
                s.sendto(b"zmesh-grid-unsolicited", (address, port))
                s.close()
            for port in tcp:
                s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
                s.settimeout(1.0)
                try:
                    s.connect((address, port))
                    outcome = "connected"
                except socket.timeout:
                    outcome = "timeout"
                except ConnectionRefusedError:
                    outcome = "refused"
                except OSError as e:
                    outcome = "error: %s" % e
                s.close()
                print(port, outcome)
            """
        let output = try runOnLAN([
            GridEnvironment.path("python3"), "-c", script, address, tcpPorts.map(String.init).joined(separator: ","),
            udpPorts.map(String.init).joined(separator: ","),
        ]).output()
        var outcomes: [Int: String] = [:]
        for line in output.split(separator: "\n") {
            let parts = line.split(separator: " ", maxSplits: 1)
            if parts.count == 2, let port = Int(parts[0]) { outcomes[port] = String(parts[1]) }
        }
        return outcomes
    }
}
