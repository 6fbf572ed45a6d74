public import ArgumentParser
import MeshPlanner

/// `zmesh network plan SPEC [--previous PLAN] [--json] [--summary]`.
public struct NetworkPlan: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "plan",
        abstract: "Plan every node's network resource and the user accesses of a network spec.",
        discussion: """
            Prints each node's /24 and /64, WireGuard address, listen port, peers (keys, allowed IPs, \
            endpoints, keepalives) and routes, each user access, and which access node serves which \
            hidden node. With --previous (a plan written with --json), existing nodes keep their subnets, \
            ports and access nodes, and only the peer entries that must change do. The same inputs give \
            byte-identical output. The spec format is in docs/mesh-planner.md.
            """)

    @Argument(help: "The network spec (JSON), or - for standard input.")
    public var spec: String

    @Option(help: "The plan in force (written by --json), to keep what it fixed.")
    public var previous: String?

    @Flag(help: "Print the plan as JSON (what --previous reads).")
    public var json = false

    @Flag(help: "Leave the peer lists out of the text.")
    public var summary = false

    public init() {}

    public func run() throws {
        let file = try NetworkSpecInput.spec(spec)
        if let name = file.accessesWithoutKey.first {
            throw CommandError(
                "access '\(name)' has no public_key: run 'zmesh network access \(spec) \(name)' to make a key pair, "
                    + "then add its public key to the spec")
        }
        let previousPlan = try previous.map(NetworkSpecInput.previous)
        let plan = try NetworkSpecInput.plan(file.spec, previous: previousPlan)
        CommandOutput.write(json ? plan.json : plan.text(peers: !summary))
    }
}
