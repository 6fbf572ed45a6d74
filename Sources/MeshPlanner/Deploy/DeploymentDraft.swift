public import Deployments
public import ZmeshCrypto
public import ZmeshModel

/// Why a deployment could not be drafted.
public struct DraftError: Error, Sendable, Equatable, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// The next version of a network, ready to sign: the deployer's side of "create" and "update".
///
/// Pure: the registry's facts and the version in force come in as values, key generation as a function.
public struct DeploymentDraft: Sendable {
    /// The unsigned document.
    public let deployment: Deployment
    /// The plan it was made from (for printing: subnets, ports, access nodes, user access files).
    public let plan: MeshPlan
    /// Nodes that got a new WireGuard key pair (new in the network); the others keep theirs.
    public let newKeys: [IdentityID]

    /// Plans `spec` over the nodes' `facts` and drafts the next version after `previous` (`nil`: a new
    /// network, version 0).
    ///
    /// On update each node keeps its subnets, port and access node (``PreviousPlan/init(deployment:accesses:)``)
    /// and its WireGuard key pair — the previous document's public key and sealed private key, so its
    /// tunnels are not reset. A node new to the network gets a key pair from `generateKey`, its private
    /// key sealed to the node's identity key. A node's own port in the previous version is not counted
    /// as used, so it can keep it.
    ///
    /// - Parameters:
    ///   - deployer: the twin drafting; the owner when the spec names none.
    /// - Throws: ``DraftError`` naming what is wrong: a node the registry does not know, an owner that
    ///   differs from the network's, an access without a key, or the planner's refusal.
    public static func make(
        spec: DeploymentSpec, deployer: IdentityID, facts: [NodeFacts], previous: Deployment?,
        generateKey: () -> PrivateKey
    ) throws(DraftError) -> DeploymentDraft {
        let owner = spec.owner ?? deployer
        if let previous, previous.owner != owner.rawValue {
            throw DraftError("network \(spec.name) is owned by \(previous.owner), not \(owner)")
        }
        if let name = spec.accessesWithoutKey.first {
            throw DraftError(
                "access '\(name)' has no public_key: make a key pair on the device (or with 'zmesh network access') and add its public key")
        }
        var byID: [IdentityID: NodeFacts] = [:]
        for fact in facts { byID[fact.id] = fact }
        let previousNodes = Dictionary(
            (previous?.nodes ?? []).map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })

        var nodes: [NodeSpec] = []
        var sealed: [IdentityID: String] = [:]
        var newKeys: [IdentityID] = []
        for id in spec.nodes {
            guard let fact = byID[id] else { throw DraftError("node \(id) is not registered") }
            var used = fact.usedPorts
            let key: WireGuardKey
            if let kept = previousNodes[id.rawValue], let publicKey = try? WireGuardKey(kept.publicKey) {
                key = publicKey
                sealed[id] = kept.sealedPrivateKey
                if let port = UInt16(exactly: kept.listenPort) { used.remove(port) }
            } else {
                let privateKey = generateKey()
                key = WireGuardKeys.publicKey(for: privateKey)
                do { sealed[id] = try SealedPrivateKey(sealing: privateKey, to: fact.identityKey).base64 } catch {
                    throw DraftError("cannot seal a key to node \(id): \(error)")
                }
                newKeys.append(id)
            }
            nodes.append(
                NodeSpec(
                    id: id, publicKey: key, ipv4Endpoint: fact.ipv4, ipv6Endpoint: fact.ipv6, outbound: fact.outbound,
                    usedPorts: used))
        }
        let networkSpec = NetworkSpec(
            name: spec.name, owner: owner, ipv4Range: spec.ipv4Range, ipv6Range: spec.ipv6Range, nodes: nodes,
            accesses: spec.accesses)
        let previousPlan = previous.flatMap { PreviousPlan(deployment: $0, accesses: spec.accesses) }
        let plan: MeshPlan
        do { plan = try NetworkPlanner.plan(networkSpec, previous: previousPlan) } catch {
            throw DraftError(error.description)
        }
        let documentNodes = plan.nodes.indices.map { i in
            plan.deploymentNode(at: i, sealedPrivateKey: sealed[plan.nodes[i].id] ?? "")
        }
        let deployment = Deployment(
            version: previous.map { $0.version + 1 } ?? 0, owner: owner.rawValue, network: plan.deploymentNetwork,
            nodes: documentNodes, signatureRequirement: spec.signatureRequirement(owner: owner))
        return DeploymentDraft(deployment: deployment, plan: plan, newKeys: newKeys)
    }

    /// The version after `previous` that removes the network from every node (no nodes), under the
    /// same signature requirement.
    public static func removal(of previous: Deployment) -> Deployment {
        Deployment(
            version: previous.version + 1, owner: previous.owner, network: previous.network, nodes: [],
            signatureRequirement: previous.signatureRequirement)
    }
}
