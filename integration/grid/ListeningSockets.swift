import Foundation
import SystemSupport

/// A listening socket as `ss -H -l -n -p` prints it: `tcp` or `udp`, the local address and port, and
/// the processes owning it (`users:(("name",pid=…,fd=…),…)`).
public struct ListeningSocket: Sendable, CustomStringConvertible {
    public let proto: String
    public let local: String
    /// The names of the owning processes (empty when `ss` shows none).
    public let processes: [String]
    public let line: String

    public var description: String { line }

    /// Parses `ss -H -l -n -p -t|-u` output (the `Netid` column present with `-t -u` together; the
    /// local address is the first field with a port after the queue sizes).
    static func parse(_ text: String, proto: String) -> [ListeningSocket] {
        text.split(separator: "\n").compactMap { line in
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            // State Recv-Q Send-Q Local Peer [Process]
            guard fields.count >= 5 else { return nil }
            let local = String(fields[3])
            var names: [String] = []
            if let users = line.range(of: "users:(") {
                var rest = line[users.upperBound...]
                while let open = rest.range(of: "((\"") ?? rest.range(of: "(\"") {
                    let after = rest[open.upperBound...]
                    guard let close = after.firstIndex(of: "\"") else { break }
                    names.append(String(after[..<close]))
                    rest = after[close...]
                }
            }
            return ListeningSocket(proto: proto, local: local, processes: names, line: String(line))
        }
    }
}

extension SimulatedNode {
    /// The listening TCP sockets (`ss -H -l -t -n -p`) in the node's root namespace (`namespace` nil)
    /// or in one of its named namespaces, with their owning processes (the node's `/proc`, so `-p`
    /// sees the agent and wireguard-go).
    public func listeningTCPSockets(inNamespace namespace: String? = nil) throws(GridError) -> [ListeningSocket] {
        let argv = [GridEnvironment.path("ss"), "-H", "-l", "-t", "-n", "-p"]
        return ListeningSocket.parse(try listing(argv, namespace).output(), proto: "tcp")
    }

    /// The same for UDP (`ss -H -l -u -n -p`: bound UDP sockets, e.g. wireguard-go's listen ports).
    public func listeningUDPSockets(inNamespace namespace: String? = nil) throws(GridError) -> [ListeningSocket] {
        let argv = [GridEnvironment.path("ss"), "-H", "-l", "-u", "-n", "-p"]
        return ListeningSocket.parse(try listing(argv, namespace).output(), proto: "udp")
    }

    private func listing(_ argv: [String], _ namespace: String?) throws(GridError) -> CommandResult {
        if let namespace { return try run(inNamespace: namespace, argv) }
        return try run(argv)
    }
}
