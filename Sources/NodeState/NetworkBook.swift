public import Deployments
public import ZmeshCrypto
import ZmeshModel

/// What the node agent knows about each network it was sent: the latest authentic document (for the
/// update rules), the input it wants applied, the input last applied, and the state it reports.
///
/// Pure: documents come in as bytes, the kernel's verdict as ``settle(failures:nodeFailure:)``. The
/// daemon feeds it mailbox items, computes ``desiredState(publicSide:uplink:current:)``, reconciles, and
/// reports ``reports``.
///
/// Two heads per network, on purpose:
/// - ``NetworkRecord/head``, the latest **authentic, in-sequence** document (valid, signed, version
///   = previous + 1). Only a document that fails those checks leaves it where it was. A document
///   refused for a reason of this node alone (its key does not open, its port is taken by another
///   network here, it cannot be applied) still becomes the head: the owners signed it, the registry
///   stored it, and their next version (head + 1) must be admitted, or the node would refuse every
///   later version of the network.
/// - ``NetworkRecord/wanted``, the input the desired state holds: the last one that applied (or is
///   being applied). A refused document never replaces it, so the previous configuration keeps running.
public struct NetworkBook: Sendable {
    /// The node this book is for.
    public let node: IdentityID
    /// By network id.
    public private(set) var networks: [NetworkID: NetworkRecord] = [:]

    public init(node: IdentityID) { self.node = node }

    /// One delivered document, with what the mailbox says about it (used only to name the network
    /// when the document itself cannot be read).
    public struct Delivery: Sendable {
        public var owner: IdentityID
        public var network: String
        public var version: UInt64
        public var document: [UInt8]

        public init(owner: IdentityID, network: String, version: UInt64, document: [UInt8]) {
            self.owner = owner
            self.network = network
            self.version = version
            self.document = document
        }
    }

    /// What ``receive(_:identity:)`` made of a delivery.
    public enum Decision: Sendable, Equatable {
        /// A new version to apply: the desired state changed.
        case admitted(NetworkID, version: UInt64)
        /// The network no longer spans this node: its network resource is to be removed.
        case removal(NetworkID, version: UInt64)
        /// The document in force (or already decided on) was delivered again: nothing to do.
        case unchanged(NetworkID, version: UInt64)
        /// Refused with the reason; what ran keeps running. The id is `nil` when the delivery does
        /// not even name a network (an unreadable owner or name).
        case refused(NetworkID?, version: UInt64, reason: String)

        /// Whether the desired state must be computed and applied again.
        public var changesDesiredState: Bool {
            switch self {
            case .admitted, .removal: true
            case .unchanged, .refused: false
            }
        }
    }

    /// Checks one delivered document and records the outcome. `identity` is this node's (it opens the
    /// sealed WireGuard key).
    ///
    /// In order: the JSON is read; a re-delivery of the head (same version and digest) changes
    /// nothing; `admitted(after: head, context:)` checks validation, signatures and the update rules,
    /// with the listen ports of this node's other networks as used; a node left out of the document
    /// means removal; this node's sealed key must open; the desired state with the new input must be
    /// computable (no conflict between networks). A refusal names the offending value.
    public mutating func receive(_ delivery: Delivery, identity: Identity) -> Decision {
        let hinted = NetworkName.optional(delivery.network).map { NetworkID(owner: delivery.owner, name: $0) }
        let document: Deployment
        do { document = try Deployment(json: delivery.document) } catch {
            return .refused(hinted, version: delivery.version, reason: "the document cannot be read: \(error)")
        }
        let version = UInt64(clamping: document.version)
        guard let owner = try? IdentityID(document.owner), let name = NetworkName.optional(document.network.name) else {
            // Invalid as a whole: report it under the mailbox's name for it.
            let problems = document.validationProblems().map(\.description).joined(separator: "; ")
            return .refused(hinted, version: version, reason: "the deployment is not valid: \(problems)")
        }
        let id = NetworkID(owner: owner, name: name)
        var record = networks[id] ?? NetworkRecord(id: id, owner: owner, name: name.rawValue)
        if let head = record.head, head.version == document.version, head.digest == document.digest {
            return .unchanged(id, version: version)
        }
        let context = ValidationContext(usedListenPorts: [node: usedListenPorts(except: id)])
        let validated: ValidatedDeployment
        do { validated = try document.admitted(after: record.head, context: context) } catch {
            // Authentic and in sequence, refused only because of this node's other networks?
            if (try? document.admitted(after: record.head)) != nil {
                record.head = document
                return refuse(&record, version: version, reason: "the deployment conflicts with this node: \(error.flat)")
            }
            return refuse(&record, version: version, reason: "the deployment is refused: \(error.flat)")
        }
        record.head = document
        guard let index = validated.nodes.firstIndex(where: { $0.id == node }) else {
            record.wanted = nil
            record.condition = .removing(version: version, lastError: nil)
            networks[id] = record
            return .removal(id, version: version)
        }
        let mine = validated.nodes[index]
        let key: PrivateKey
        do { key = try mine.openPrivateKey(with: identity) } catch {
            return refuse(
                &record, version: version,
                reason: "nodes[\(index)].sealed_private_key: does not open with the identity of node \(node) "
                    + "to the public key \(mine.publicKey.base64) (\(error))")
        }
        let input = NodeDesiredState.Input(deployment: validated, privateKey: key)
        var candidate = wantedInputs(except: id)
        candidate.append(input)
        do { _ = try NodeDesiredState(node: node, inputs: candidate) } catch {
            return refuse(&record, version: version, reason: "the desired state cannot be computed: \(error)")
        }
        record.wanted = input
        record.condition = .pending(version: version)
        networks[id] = record
        return .admitted(id, version: version)
    }

    /// Records a refusal of `version` (the wanted input, if any, keeps running).
    private mutating func refuse(_ record: inout NetworkRecord, version: UInt64, reason: String) -> Decision {
        record.condition = .refused(version: version, reason: reason)
        networks[record.id] = record
        return .refused(record.id, version: version, reason: reason)
    }

    /// The inputs the desired state holds, in network-id order.
    public var inputs: [NodeDesiredState.Input] { wantedInputs(except: nil) }

    private func wantedInputs(except excluded: NetworkID?) -> [NodeDesiredState.Input] {
        networks.keys.sorted().filter { $0 != excluded }.compactMap { networks[$0]?.wanted }
    }

    /// UDP ports this node's networks other than `excluded` listen on (what is wanted).
    private func usedListenPorts(except excluded: NetworkID) -> Set<UInt16> {
        Set(wantedInputs(except: excluded).compactMap { $0.deployment.node(node)?.listenPort })
    }

    /// The desired state of the node from the wanted inputs (``NodeDesiredState/init(node:inputs:publicSide:ndmzPolicy:current:)``).
    public func desiredState(
        publicSide: NamespaceRef = .host, uplink: NDMZUplink? = nil, current: NodeSnapshot?,
        public publicConfig: PublicConfig? = nil
    ) throws(DesiredStateError) -> NodeDesiredState {
        try NodeDesiredState(
            node: node, inputs: inputs, publicSide: publicSide, uplink: uplink, current: current, public: publicConfig)
    }

    /// Records what a reconcile of ``desiredState(publicSide:uplink:current:)`` did: `failures` per network
    /// (the first failed action of its NR), `nodeFailure` outside any NR.
    ///
    /// A network whose **new** version failed to apply gets its previous input back (none for a new
    /// network: it is removed) and reports `failed` with the message; the caller must reconcile again
    /// (the return value says so) so that the previous configuration is restored. A network already
    /// applied that fails (drift repair) reports `failed` until it applies again. With a node failure,
    /// nothing is promoted to applied (the NRs may not have been reached).
    ///
    /// - Returns: whether an input was put back (reconcile again).
    public mutating func settle(failures: [NetworkID: String], nodeFailure: String?) -> Bool {
        var restored = false
        for id in networks.keys.sorted() {
            guard var record = networks[id] else { continue }
            let failure = failures[id]
            switch record.condition {
            case .pending(let version):
                if let failure {
                    record.wanted = record.applied
                    record.condition = .refused(version: version, reason: "applying version \(version) failed: \(failure)")
                    restored = true
                } else if nodeFailure == nil {
                    record.applied = record.wanted
                    record.condition = .applied(version: version)
                }
            case .applied(let version), .failing(let version, _):
                if let failure {
                    record.condition = .failing(version: version, reason: failure)
                } else if nodeFailure == nil {
                    record.condition = .applied(version: version)
                }
            case .removing(let version, _):
                if let failure {
                    record.condition = .removing(version: version, lastError: failure)
                } else if nodeFailure == nil {
                    record.applied = nil
                    record.condition = .removed(version: version)
                }
            case .refused, .removed:
                break
            }
            networks[id] = record
        }
        return restored
    }

    /// What to report per network (not the ones still pending), in network-id order.
    public var reports: [NetworkReportState] {
        networks.keys.sorted().compactMap { id -> NetworkReportState? in
            guard let record = networks[id] else { return nil }
            let base = { (state: NetworkReportState.State, version: UInt64, error: String?) in
                NetworkReportState(
                    id: id, owner: record.owner, network: record.name, version: version, state: state, error: error,
                    running: record.wanted != nil)
            }
            switch record.condition {
            case .pending: return nil
            case .applied(let version): return base(.applied, version, nil)
            case .failing(let version, let reason), .refused(let version, let reason): return base(.failed, version, reason)
            case .removing(let version, let error): return error.map { base(.failed, version, $0) }
            case .removed(let version): return base(.removed, version, nil)
            }
        }
    }
}

/// What the agent knows about one network.
public struct NetworkRecord: Sendable {
    public let id: NetworkID
    public let owner: IdentityID
    /// The network's name, as the registry and reports name it.
    public let name: String
    /// The latest authentic, in-sequence document (what the update rules compare a new version with).
    public internal(set) var head: Deployment?
    /// The input the desired state holds (the last applied, or a new version being applied); `nil`
    /// when the network is not to run on this node.
    public internal(set) var wanted: NodeDesiredState.Input?
    /// The input last known to be applied.
    public internal(set) var applied: NodeDesiredState.Input?
    public internal(set) var condition: NetworkCondition = .removed(version: 0)

    init(id: NetworkID, owner: IdentityID, name: String) {
        self.id = id
        self.owner = owner
        self.name = name
    }
}

/// Where a network stands on this node.
public enum NetworkCondition: Sendable, Equatable {
    /// Admitted, not yet applied.
    case pending(version: UInt64)
    /// Applied; the kernel holds it.
    case applied(version: UInt64)
    /// This version was refused (invalid, key not opening, conflict, or its apply failed); the
    /// previously applied version, if any, keeps running.
    case refused(version: UInt64, reason: String)
    /// The version in force no longer applies (drift repair fails).
    case failing(version: UInt64, reason: String)
    /// To be removed (the node is not in this version); the last removal attempt's error, if any.
    case removing(version: UInt64, lastError: String?)
    /// Removed (or never ran here).
    case removed(version: UInt64)
}

/// One network's line in a status report (without peer health, which comes from the snapshot).
public struct NetworkReportState: Sendable, Hashable {
    public enum State: String, Sendable, Hashable { case applied, failed, removed }

    public var id: NetworkID
    public var owner: IdentityID
    public var network: String
    public var version: UInt64
    public var state: State
    public var error: String?
    /// Whether a configuration of the network runs on the node (peer health is worth reading).
    public var running: Bool
}

extension NetworkName {
    /// The name, or `nil` when `text` is not one.
    static func optional(_ text: String) -> NetworkName? { try? NetworkName(text) }
}

extension DeploymentError {
    /// The problems on one line (for a status report).
    var flat: String { problems.map(\.description).joined(separator: "; ") }
}
