import ArgumentParser
import SystemSupport
import WireGuardNL

/// `zmesh demo`: the main job on one machine. Until the simulated grid exists, a real WireGuardNL
/// demonstration: WireGuard tunnels between namespaces, configured and converged by WireGuardNL.
struct DemoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Build WireGuard tunnels between network namespaces with WireGuardNL and show them working.")

    @Option(help: "automatic (kernel when it has WireGuard, else wireguard-go), kernel or userspace.")
    var backend: BackendChoice = .automatic

    @Option(help: "Nodes in the demo mesh (2–8).")
    var nodes = 3

    func validate() throws {
        guard (2...8).contains(nodes) else { throw ValidationError("--nodes must be between 2 and 8, not \(nodes)") }
    }

    func run() throws {
        let resources = DemoResources()
        // Interrupted or killed, the demo still removes what it made.
        try TerminationSignals.install { resources.tearDown() }
        let demo = try WireGuardDemo(nodeCount: nodes, choice: backend, resources: resources)
        defer { resources.tearDown() }
        try demo.run { print($0) }
    }
}

extension BackendChoice: ExpressibleByArgument {}
