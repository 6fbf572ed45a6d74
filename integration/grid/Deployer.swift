import Deployments
import Foundation
import SystemSupport
import ZmeshCrypto
import ZmeshModel

/// A deployer on the grid's LAN: an identity registered as a twin, running `zmesh node farm-create`
/// and `zmesh network create|update|delete|status` against the grid's registry from the LAN namespace.
public struct Deployer: Sendable {
    public let grid: Grid
    public let name: String
    public let identityPath: String
    public let id: String

    init(grid: Grid, name: String) throws {
        self.grid = grid
        self.name = name
        identityPath = "\(grid.directory)/\(name).id"
        id = try grid.zmeshIdentityNew(identityPath)
        try zmesh(["identity", "register", "--identity", identityPath]).output()
    }

    /// `zmesh ARGS --registry URL` in the LAN namespace (`--registry` added to every command but
    /// `identity new/show`).
    public func zmesh(_ arguments: [String]) throws(GridError) -> CommandResult {
        try grid.runOnLAN([grid.binary] + arguments + ["--registry", grid.registryURL])
    }

    /// Creates a farm owned by this twin; its number.
    public func createFarm(_ farmName: String = "grid") throws(GridError) -> UInt32 {
        let text = try zmesh(["node", "farm-create", farmName, "--identity", identityPath]).output()
        // "farm 3 'grid' created, owned by …"
        guard let number = text.split(separator: " ").dropFirst().first.flatMap({ UInt32($0) }) else {
            throw GridError("read the farm number from", "zmesh node farm-create", text)
        }
        return number
    }

    /// The id of this twin's network `network`.
    public func networkID(_ network: String) throws -> NetworkID {
        NetworkID(owner: try IdentityID(id), name: try NetworkName(network))
    }

    /// Writes a YAML spec for `network` over `nodes` (by id) and returns its path.
    public func writeSpec(network: String, ipv4Range: String = "10.20.0.0/16", nodes: [SimulatedNode]) throws -> String {
        let path = "\(grid.directory)/\(network).yaml"
        let text = """
            name: \(network)
            ipv4_range: \(ipv4Range)
            nodes:
            \(nodes.map { "  - \($0.id)" }.joined(separator: "\n"))

            """
        try FileIO.writeFile(text, to: path)
        return path
    }

    /// `zmesh network create SPEC`.
    @discardableResult
    public func create(spec: String) throws(GridError) -> String {
        try zmesh(["network", "create", spec, "--identity", identityPath]).output()
    }

    /// `zmesh network update SPEC`.
    @discardableResult
    public func update(spec: String) throws(GridError) -> String {
        try zmesh(["network", "update", spec, "--identity", identityPath]).output()
    }

    /// `zmesh network delete NAME`.
    @discardableResult
    public func delete(network: String) throws(GridError) -> String {
        try zmesh(["network", "delete", network, "--identity", identityPath]).output()
    }

    /// The listen port the plan gives each node (by id), from `zmesh network create|update SPEC
    /// --dry-run` (the planner's ports are stable: the real submission picks the same).
    public func plannedPorts(spec: String, creating: Bool) throws(GridError) -> [String: Int] {
        let text = try zmesh(["network", creating ? "create" : "update", spec, "--identity", identityPath, "--dry-run"])
            .output()
        var ports: [String: Int] = [:]
        var node: String?
        for line in text.split(separator: "\n") {
            let words = line.split(separator: " ")
            if line.hasPrefix("node "), words.count >= 2 { node = String(words[1]) }
            if let node, line.hasPrefix("  subnet "), let index = words.firstIndex(of: "port"), index + 1 < words.count,
                let port = Int(words[index + 1])
            {
                ports[node] = port
            }
        }
        return ports
    }

    /// `zmesh network status NAME`: the text a deployer reads.
    public func statusText(network: String) throws(GridError) -> String {
        try zmesh(["network", "status", network, "--owner", id]).output()
    }

    /// The registry's `GET /v1/networks/{owner}/{network}/status`, decoded.
    public func status(network: String) throws -> NetworkStatusReport {
        let result = try grid.runOnLAN([
            GridEnvironment.path("curl"), "-sf", "-m", "5", "\(grid.registryURL)/v1/networks/\(id)/\(network)/status",
        ])
        return try JSONDecoder().decode(NetworkStatusReport.self, from: Data(try result.output().utf8))
    }

    /// Whether the registry knows `node` (it registered itself).
    public func isRegistered(_ node: SimulatedNode) throws -> Bool {
        try grid.runOnLAN([GridEnvironment.path("curl"), "-sf", "-m", "5", "\(grid.registryURL)/v1/nodes/\(node.id)"])
            .succeeded
    }

    /// Waits until every node in `nodes` registered itself with the registry.
    public func waitForRegistration(_ nodes: [SimulatedNode], timeout: Duration = .seconds(60)) throws {
        for node in nodes {
            try Poll.require("\(node) to register", timeout: timeout, interval: .milliseconds(200), detail: {
                node.agentLogTail()
            }) { try isRegistered(node) }
        }
    }

    /// Waits until every node of `network` reports `version` (the newest when `nil`) as applied.
    @discardableResult
    public func waitUntilApplied(network: String, version: Int? = nil, timeout: Duration = .seconds(60)) throws
        -> NetworkStatusReport
    {
        var last: NetworkStatusReport?
        try Poll.require("every node to apply \(network)", timeout: timeout, interval: .milliseconds(200), detail: {
            "last status: \(last.map(String.init(describing:)) ?? "none")"
        }) {
            let status = try self.status(network: network)
            last = status
            let wanted = version ?? status.version
            return status.version == wanted && status.nodes.allSatisfy { $0.state == "applied" && $0.version == wanted }
        }
        return last!
    }
}

/// `GET /v1/networks/{owner}/{network}/status` (docs/registry.md).
public struct NetworkStatusReport: Decodable, Sendable, CustomStringConvertible {
    public struct Peer: Decodable, Sendable {
        public let publicKey: String
        public let lastHandshake: Int64
        public let rxBytes: UInt64
        public let txBytes: UInt64
        enum CodingKeys: String, CodingKey {
            case publicKey = "public_key", lastHandshake = "last_handshake", rxBytes = "rx_bytes", txBytes = "tx_bytes"
        }
    }

    public struct Node: Decodable, Sendable {
        public let id: String
        public let version: Int?
        public let state: String
        public let error: String?
        public let peers: [Peer]?
    }

    public let owner: String
    public let network: String
    public let version: Int
    public let nodes: [Node]

    public func node(_ id: String) -> Node? { nodes.first { $0.id == id } }

    public var description: String {
        "version \(version): " + nodes.map { node in
            "\(node.id.prefix(8)) \(node.state) v\(node.version.map(String.init) ?? "-")\(node.error.map { " (\($0))" } ?? "")"
        }.joined(separator: ", ")
    }
}
