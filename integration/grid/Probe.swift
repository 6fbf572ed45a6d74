import Foundation
import SystemSupport

#if canImport(Glibc)
import Glibc
#endif

/// Where in a grid a probe runs: the LAN ("the internet"), a node's root namespace (its public side),
/// or one of a node's named namespaces (`ndmz`, `n-<id>`, a workload's `wl<k>`).
public enum GridPlace: Sendable, CustomStringConvertible {
    case lan(Grid)
    case node(SimulatedNode)
    case namespace(SimulatedNode, String)

    public static func workload(_ workload: Workload) -> GridPlace { .namespace(workload.node, workload.name) }

    var grid: Grid {
        switch self {
        case .lan(let grid): grid
        case .node(let node), .namespace(let node, _): node.grid
        }
    }

    var enter: [String] {
        switch self {
        case .lan(let grid): grid.enterLAN
        case .node(let node): node.enter
        case .namespace(let node, let name): node.enter(namespace: name)
        }
    }

    public var description: String {
        switch self {
        case .lan: "the LAN"
        case .node(let node): "node\(node.index) (root)"
        case .namespace(let node, let name): "\(name)@node\(node.index)"
        }
    }

    /// Runs `argv` there.
    public func run(_ argv: [String], timeout: Duration = .seconds(60)) throws(GridError) -> CommandResult {
        try grid.command.run(enter + argv, timeout: timeout)
    }

    /// One echo request (`ping -c 1 -W seconds`): whether a reply came back.
    public func ping(_ address: String, seconds: Int = 1) -> Bool {
        (try? run([GridEnvironment.path("ping"), "-n", "-q", "-c", "1", "-W", String(seconds), address]).succeeded) ?? false
    }

    /// A TCP connection to `address`:`port` that sends `payload` and reads the server's answer (a
    /// ``ProbeServer`` answers `seen <peer address>`); nil when no connection was made within
    /// `seconds`. `udp`: three datagrams instead, no answer (returns "sent").
    public func send(
        _ payload: String, to address: String, port: Int, udp: Bool = false, seconds: Double = 2
    ) -> String? {
        guard let script = try? grid.script("probe-server.py", ProbeServer.script),
            let result = try? run([
                GridEnvironment.path("python3"), script, udp ? "udp" : "tcp", address, String(port), payload,
                String(seconds),
            ]), result.succeeded
        else { return nil }
        return result.standardOutput.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Whether a TCP connection to `address`:`port` is made within `seconds`.
    public func connects(to address: String, port: Int, seconds: Double = 2) -> Bool {
        send("probe", to: address, port: port, seconds: seconds) != nil
    }
}

/// A TCP and UDP listener (dual stack, every address, one port) started somewhere in the grid: it
/// answers each TCP connection `seen <peer address>` and logs every payload it receives with the
/// peer, so a test knows what arrived and from where.
public final class ProbeServer: @unchecked Sendable {
    public let place: GridPlace
    public let port: Int
    private let process: BackgroundProcess

    public init(at place: GridPlace, port: Int) throws(GridError) {
        self.place = place
        self.port = port
        let grid = place.grid
        let script = try grid.script("probe-server.py", Self.script)
        let log = "\(grid.directory)/probe-\(UInt32.random(in: 0...UInt32.max)).log"
        process = try grid.command.start(place.enter + [GridEnvironment.path("python3"), script, "serve", String(port)], log: log)
        let process = process
        try Poll.require("the probe server at \(place) on port \(port)", timeout: .seconds(20), detail: { process.logTail() }) {
            guard process.isRunning else { throw GridError("start", "a probe server at \(place)", process.logTail()) }
            return GridCommand.readText(log).contains("ready")
        }
    }

    /// What it received so far: (protocol "tcp"/"udp", peer address, payload text).
    public func received() -> [(proto: String, peer: String, payload: String)] {
        GridCommand.readText(process.log).split(separator: "\n").compactMap { line in
            let fields = line.split(separator: " ", maxSplits: 2)
            guard fields.count == 3, fields[0] == "tcp" || fields[0] == "udp" else { return nil }
            let bytes = stride(from: 0, to: fields[2].count - 1, by: 2).compactMap { i -> UInt8? in
                let start = fields[2].index(fields[2].startIndex, offsetBy: i)
                return UInt8(fields[2][start...fields[2].index(after: start)], radix: 16)
            }
            return (String(fields[0]), String(fields[1]), String(decoding: bytes, as: UTF8.self))
        }
    }

    public func stop() { process.terminateAll() }

    deinit { process.terminateAll() }

    /// `probe-server.py serve PORT` / `probe-server.py tcp|udp ADDRESS PORT PAYLOAD SECONDS`.
    static let script = #"""
        import select, socket, sys
        \#(Scripts.dualStackSocket)
        def peer(address):
            host = address[0]
            return host[7:] if host.startswith("::ffff:") else host
        if sys.argv[1] == "serve":
            port = int(sys.argv[2])
            tcp, udp = bound(socket.SOCK_STREAM, port), bound(socket.SOCK_DGRAM, port)
            print("ready", flush=True)
            connections = {}
            while True:
                ready, _, _ = select.select([tcp, udp] + list(connections), [], [])
                for s in ready:
                    if s is tcp:
                        c, address = tcp.accept()
                        connections[c] = peer(address)
                        c.sendall(("seen " + connections[c] + "\n").encode())
                    elif s is udp:
                        data, address = udp.recvfrom(65535)
                        print("udp", peer(address), data.hex() or "-", flush=True)
                    else:
                        try:
                            data = s.recv(65535)
                        except OSError:
                            data = b""
                        if data:
                            print("tcp", connections[s], data.hex(), flush=True)
                        else:
                            del connections[s]
                            s.close()
        else:
            kind, address, port, payload, seconds = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4].encode(), float(sys.argv[5])
            family = socket.AF_INET6 if ":" in address else socket.AF_INET
            if kind == "udp":
                s = socket.socket(family, socket.SOCK_DGRAM)
                for _ in range(3):
                    s.sendto(payload, (address, port))
                print("sent")
                sys.exit(0)
            s = socket.socket(family, socket.SOCK_STREAM)
            s.settimeout(seconds)
            try:
                s.connect((address, port))
                s.sendall(payload)
                s.shutdown(socket.SHUT_WR)
                answer = b""
                while True:
                    chunk = s.recv(4096)
                    if not chunk:
                        break
                    answer += chunk
            except OSError as error:
                print("failed:", error, file=sys.stderr)
                sys.exit(1)
            print(answer.decode().strip())
        """#
}
