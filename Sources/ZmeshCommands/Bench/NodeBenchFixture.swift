import Deployments
import MeshPlanner
import NodeState
import ZmeshCrypto
import ZmeshModel

/// The identities and signed deployments of the node benchmark: one owner, the node under test and
/// a peer that never runs (its endpoint, in 198.51.100.0/24, is unreachable from the benchmark's
/// namespaces: WireGuard's handshake attempts fail to send and nothing leaves them).
struct NodeBenchFixture {
    let tag: String
    let owner = Identity.generate()
    let node = Identity.generate()
    let peer = Identity.generate()

    static let nodeAddress = IPAddress.v4(try! IPv4Address("198.51.100.1"))
    static let peerAddress = IPAddress.v4(try! IPv4Address("198.51.100.2"))

    var facts: [NodeFacts] {
        [
            NodeFacts(id: node.id, identityKey: node.publicKey, publicIPs: [Self.nodeAddress])!,
            NodeFacts(id: peer.id, identityKey: peer.publicKey, publicIPs: [Self.peerAddress])!,
        ]
    }

    /// The name of network `index` (1-based).
    func networkName(_ index: Int) -> String { "bench-\(tag)-\(index)" }

    /// Version 0 of network `index` over the node and the peer, signed by the owner.
    func deployment(_ index: Int) throws -> Deployment {
        let spec = DeploymentSpec(
            name: try NetworkName(networkName(index)), owner: owner.id,
            ipv4Range: try IPPrefix("10.\(index % 250 + 1).0.0/16"), nodes: [node.id, peer.id])
        let draft = try DeploymentDraft.make(
            spec: spec, deployer: owner.id, facts: facts, previous: nil, generateKey: { WireGuardKeys.generatePrivateKey() })
        return try draft.deployment.signed(by: owner)
    }

    /// What the node makes of `deployment`: the validated document and its opened WireGuard key.
    func input(_ deployment: Deployment) throws -> NodeDesiredState.Input {
        let validated = try deployment.admitted(after: nil)
        guard let mine = validated.node(node.id) else { throw CommandError("the benchmark node is not in its network") }
        return NodeDesiredState.Input(deployment: validated, privateKey: try mine.openPrivateKey(with: node))
    }
}
