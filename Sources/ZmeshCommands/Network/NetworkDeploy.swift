public import ArgumentParser
import Deployments
import MeshPlanner
import ZmeshCrypto

/// `zmesh network create|update SPEC --registry URL --identity PATH`: plan the spec over the nodes the
/// registry knows, make and seal new nodes' WireGuard keys, sign the next version and submit it.
struct NetworkDeploy {
    let spec: String
    let identity: String
    let registry: RegistryOptions
    let dryRun: Bool
    /// `create` refuses a network that exists, `update` one that does not.
    let creating: Bool

    func run() async throws {
        let spec = try NetworkSpecInput.deploymentSpec(self.spec)
        let signer = try IdentityFile.load(from: identity)
        let deployer = RegistryDeployer(client: try registry.client(signingAs: signer), identity: signer)
        let owner = spec.owner ?? signer.id
        let previous = try await deployer.latest(owner: owner, network: spec.name)
        if creating, let previous {
            throw CommandError(
                "network \(spec.name) of \(owner) exists (version \(previous.version)): use 'zmesh network update'")
        }
        if !creating, previous == nil {
            throw CommandError("network \(spec.name) of \(owner) is not deployed: use 'zmesh network create'")
        }
        let facts = try await deployer.facts(spec.nodes)
        let draft: DeploymentDraft
        do {
            draft = try DeploymentDraft.make(
                spec: spec, deployer: signer.id, facts: facts, previous: previous,
                generateKey: WireGuardKeys.generatePrivateKey)
        } catch { throw CommandError(error.description) }
        if let previous, Self.sameContent(previous, draft.deployment) {
            CommandOutput.write("network \(spec.name) is up to date at version \(previous.version): nothing to submit\n")
            return
        }
        let problems = draft.deployment.validationProblems()
        guard problems.isEmpty else {
            CommandOutput.error(DeploymentReport.problems(problems))
            throw CommandError("the drafted deployment is not valid (a bug: please report it)")
        }
        var out = draft.plan.text(peers: false)
        out += "\nversion \(draft.deployment.version): \(draft.deployment.nodes.count) nodes, "
        out += "\(draft.newKeys.count) new WireGuard key pairs (sealed to their nodes)\n"
        if dryRun {
            CommandOutput.write(out + "dry run: nothing signed or submitted\n")
            return
        }
        out += try await deployer.signAndSubmit(draft.deployment)
        CommandOutput.write(out)
    }

    /// Whether `draft` would change nothing but the version number.
    static func sameContent(_ previous: Deployment, _ draft: Deployment) -> Bool {
        previous.network == draft.network && previous.nodes == draft.nodes
            && previous.signatureRequirement == draft.signatureRequirement
    }
}

/// What `create` and `update` take.
public struct NetworkDeployOptions: ParsableArguments {
    @Argument(help: "The network spec (YAML or JSON), or - for standard input.")
    public var spec: String

    @Option(help: "Your identity file (mode 0600): a twin registered with the registry.")
    public var identity: String

    @OptionGroup public var registry: RegistryOptions

    @Flag(help: "Plan and print, but do not sign or submit.")
    public var dryRun = false

    public init() {}

    func deploy(creating: Bool) -> NetworkDeploy {
        NetworkDeploy(spec: spec, identity: identity, registry: registry, dryRun: dryRun, creating: creating)
    }
}

/// `zmesh network create`.
public struct NetworkCreate: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "create",
        abstract: "Deploy a new network through a registry, signed by your identity.",
        discussion: """
            Reads the spec (YAML or JSON: name, ipv4_range, nodes by id, accesses, owners and \
            weight_required; see docs/deploying.md), fetches the nodes' keys, addresses and used ports \
            from the registry, plans the network, makes each node's WireGuard key pair and seals the \
            private key to the node, signs version 0 and submits it. When co-owners must sign too, the \
            registry holds it as a proposal until they approve.
            """)

    @OptionGroup public var options: NetworkDeployOptions

    public init() {}

    public func run() async throws { try await options.deploy(creating: true).run() }
}

/// `zmesh network update`.
public struct NetworkUpdate: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "update",
        abstract: "Deploy the next version of a network through a registry.",
        discussion: """
            Reads the version in force back from the registry and verifies its signatures, then plans \
            the spec keeping every remaining node's subnets, port, access node and WireGuard key pair \
            (so its tunnels are not reset); only nodes new to the network get new keys. Nothing is \
            submitted when the spec changes nothing.
            """)

    @OptionGroup public var options: NetworkDeployOptions

    public init() {}

    public func run() async throws { try await options.deploy(creating: false).run() }
}
