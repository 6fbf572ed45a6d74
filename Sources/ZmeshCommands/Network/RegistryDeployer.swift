import Deployments
import MeshPlanner
import RegistryClient
import ZmeshCrypto
import ZmeshModel

/// What the deployer verbs do with a registry: read nodes' facts, read back the version in force —
/// verified here, since the registry is not trusted — and submit signed documents.
struct RegistryDeployer {
    let client: RegistryClient
    let identity: Identity

    /// The registry's facts about `ids`, each checked against its id (the registry cannot substitute a key).
    func facts(_ ids: [IdentityID]) async throws -> [NodeFacts] {
        var facts: [NodeFacts] = []
        for id in ids {
            let node: Node
            do { node = try await client.node(id) } catch {
                if error.code == "unknown_node" { throw CommandError("node \(id) is not registered with \(client.url)") }
                throw CommandError(error)
            }
            // An empty list means the node did not say: the planner's default applies.
            let families = Set((node.outbound ?? []).compactMap { IPFamily(rawValue: $0.rawValue) })
            let outbound = families.isEmpty ? nil : families
            guard
                let fact = NodeFacts(
                    id: id, identityKey: node.publicKey, publicIPs: node.publicIPs, outbound: outbound,
                    usedPorts: Set(node.usedPorts))
            else {
                throw CommandError("the registry gave node \(id) a public key that is not that node's; refusing it")
            }
            facts.append(fact)
        }
        return facts
    }

    /// The newest stored version of `owner`'s `network`, or nil when none is stored. It must parse, be
    /// valid and validly signed, and be the network asked for: a new version builds on its keys and plan.
    func latest(owner: IdentityID, network: NetworkName) async throws -> Deployment? {
        let history: [DeploymentSummary]
        do { history = try await client.deploymentHistory(owner: owner, network: network.rawValue) } catch {
            if error.code == "unknown_deployment" { return nil }
            throw CommandError(error)
        }
        guard let newest = history.last else { return nil }
        let bytes: [UInt8]
        do {
            bytes = try await client.deploymentDocument(owner: owner, network: network.rawValue, version: newest.version)
        } catch { throw CommandError(error) }
        let what = "version \(newest.version) of network \(network) from \(client.url)"
        let document: Deployment
        do { document = try Deployment(json: bytes) } catch {
            throw CommandError("\(what) is not a deployment document: \(error)")
        }
        guard document.owner == owner.rawValue, document.network.name == network.rawValue,
            document.version == Int64(clamping: newest.version)
        else { throw CommandError("\(what) is another document than the one asked for; refusing it") }
        do { _ = try document.admitted(after: nil) } catch {
            throw CommandError("\(what) does not verify, refusing to build on it:\n\(error)")
        }
        return document
    }

    /// Signs `document` with the identity and submits it; returns what to print.
    func signAndSubmit(_ document: Deployment) async throws -> String {
        var signed = document
        do { try signed.sign(with: identity) } catch {
            throw CommandError("twin \(identity.id) is not among the signers of network \(document.network.name): \(error)")
        }
        let outcome: DeploymentSubmission
        do { outcome = try await client.submitDeployment(documentJSON: Array(signed.json(pretty: false).utf8)) } catch {
            throw CommandError(error)
        }
        return Self.describe(outcome, registry: client.url.description)
    }

    /// One or two lines on what the registry did.
    static func describe(_ outcome: DeploymentSubmission, registry: String) -> String {
        switch outcome {
        case .stored(let summary):
            return "version \(summary.version) of \(summary.network) stored and sent to its nodes (digest \(summary.digest))\n"
        case .alreadyStored(let summary):
            return "version \(summary.version) of \(summary.network) was already stored (digest \(summary.digest))\n"
        case .proposed(let status):
            return """
                version \(status.version) of \(status.network) proposed: signed weight \(status.signedWeight) of \
                \(status.weightRequired); awaiting \(status.awaiting.map(\.rawValue).joined(separator: ", "))
                co-owners approve it with: zmesh deployment approve \(status.digest.prefix(16)) --registry \(registry) \
                --identity THEIR-IDENTITY

                """
        }
    }
}
