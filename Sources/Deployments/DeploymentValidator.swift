import ZmeshCrypto
import ZmeshModel

extension Deployment {
    /// The lowest and highest listen ports a deployment may use.
    public static let listenPorts: ClosedRange<Int64> = 1024...65535
    /// The sizes a network's IPv4 range may have.
    public static let ipv4RangeLengths: ClosedRange<UInt8> = 8...22

    /// Checks everything that can be checked without keys or a kernel, and returns typed values.
    ///
    /// Rules: schema 1; version ≥ 0; owner, node and twin ids well-formed; the network name matches
    /// `^[a-z0-9][a-z0-9-]{0,31}$`; the IPv4 range is /8–/22 and overlaps no reserved range
    /// (``ReservedRanges``); the IPv6 range is a /48 in fd00::/8; every node appears once, with a
    /// /24 inside the range and a /64 inside the /48, disjoint from the other nodes'; listen ports
    /// are 1024–65535 and not in use on the node (``ValidationContext``); keys are well-formed and
    /// WireGuard public keys distinct; peers have distinct keys other than the node's own, at least
    /// one allowed IP, allowed IPs inside the network's ranges or the WireGuard address block, none
    /// inside the node's own subnets and none on two peers; endpoints are literal `IPv4:port` or
    /// `[IPv6]:port`; keepalives are 0–65535; the signature requirement is sound (see
    /// ``checkSignatures()``); signatures are well-formed. Addresses must be written in canonical
    /// form (host bits clear, as `zmesh` prints them), so that each value has one spelling.
    ///
    /// - Throws: every problem found, each with its path in the document.
    public func validated(context: ValidationContext = ValidationContext()) throws(DeploymentError)
        -> ValidatedDeployment
    {
        var validator = Validator(deployment: self, context: context)
        let result = validator.run()
        try validator.problems.throwIfAny()
        guard let result else { throw DeploymentError(path: "", "the document is not valid") }
        return result
    }

    /// The problems ``validated(context:)`` would report; empty when the deployment is valid.
    public func validationProblems(context: ValidationContext = ValidationContext()) -> [DeploymentProblem] {
        var validator = Validator(deployment: self, context: context)
        _ = validator.run()
        return validator.problems.problems
    }

    /// Everything a node checks before it touches a kernel: validation, the signatures, and — when a
    /// version of this network is already in force — the update rules (a re-delivery of the version
    /// in force passes). Problems from all three are reported together.
    public func admitted(
        after previous: Deployment?, context: ValidationContext = ValidationContext()
    ) throws(DeploymentError) -> ValidatedDeployment {
        var validator = Validator(deployment: self, context: context)
        let result = validator.run()
        var problems = validator.problems.problems
        for problem in checkSignatures().problems where !problems.contains(problem) { problems.append(problem) }
        if let previous, case .refused(let error) = previous.verdict(onUpdate: self) { problems += error.problems }
        guard problems.isEmpty, let result else { throw DeploymentError(problems) }
        return result
    }
}

/// One validation pass over a document.
private struct Validator {
    typealias Key = Deployment.Key
    let deployment: Deployment
    let context: ValidationContext
    var problems = ProblemList()

    init(deployment: Deployment, context: ValidationContext) {
        self.deployment = deployment
        self.context = context
    }

    mutating func run() -> ValidatedDeployment? {
        let d = deployment
        let root = DocumentPath.root
        if d.schema != Deployment.currentSchema {
            problems.add(
                root[Key.schema], "unsupported schema \(d.schema); this zmesh reads schema \(Deployment.currentSchema)")
        }
        if d.version < 0 { problems.add(root[Key.version], "must not be negative") }
        let owner = identity(d.owner, root[Key.owner])
        let network = self.network(d.network, root[Key.network], owner: owner)
        let nodes = self.nodes(d.nodes, root[Key.nodes], network: network)
        _ = d.signatureRequirement.check(owner: d.owner, at: root[Key.signatureRequirement], into: &problems)
        for (i, entry) in d.signatures.enumerated() { signatureFormat(entry, root[Key.signatures][i]) }
        guard problems.isEmpty, let owner, let network, let nodes else { return nil }
        return ValidatedDeployment(
            document: d, version: UInt64(d.version), owner: owner, network: network, nodes: nodes)
    }

    // MARK: Network

    mutating func network(_ n: Deployment.Network, _ path: DocumentPath, owner: IdentityID?) -> ValidatedDeployment
        .Network?
    {
        var name: NetworkName?
        do { name = try NetworkName(n.name) } catch { problems.add(path[Key.name], error.description) }
        var ipv4: IPPrefix?
        if let range = prefix(n.ipv4Range, path[Key.ipv4Range], family: .ipv4) {
            if !Deployment.ipv4RangeLengths.contains(range.length) {
                problems.add(path[Key.ipv4Range], "a network range must be /8 to /22, not /\(range.length)")
            } else if let reserved = ReservedRanges.reservedRange(overlapping: range) {
                problems.add(path[Key.ipv4Range], "\(range) overlaps \(reserved)")
            } else {
                ipv4 = range
            }
        }
        var ipv6: IPPrefix?
        if let range = prefix(n.ipv6Range, path[Key.ipv6Range], family: .ipv6) {
            if range.length != 48 {
                problems.add(path[Key.ipv6Range], "the IPv6 range must be a /48, not /\(range.length)")
            } else if !inside(range, ReservedRanges.uniqueLocalIPv6) {
                problems.add(path[Key.ipv6Range], "\(range) is not a unique local range (inside fd00::/8)")
            } else {
                ipv6 = range
            }
        }
        guard let name, let ipv4, let ipv6, let owner else { return nil }
        return ValidatedDeployment.Network(
            name: name, id: NetworkID(owner: owner, name: name), ipv4Range: ipv4, ipv6Range: ipv6)
    }

    // MARK: Nodes

    mutating func nodes(
        _ nodes: [Deployment.Node], _ path: DocumentPath, network: ValidatedDeployment.Network?
    ) -> [ValidatedDeployment.Node]? {
        var out: [ValidatedDeployment.Node] = []
        var complete = true
        var ids: [IdentityID: Int] = [:]
        var subnets: [(IPPrefix, Int)] = []
        var ipv6Subnets: [(IPPrefix, Int)] = []
        var keys: [WireGuardKey: Int] = [:]
        for (i, node) in nodes.enumerated() {
            let p = path[i]
            var id = identity(node.id, p[Key.id])
            if let nodeID = id {
                if let earlier = ids[nodeID] {
                    problems.add(p[Key.id], "node \(nodeID) is already listed at \(path[earlier])")
                    id = nil
                } else {
                    ids[nodeID] = i
                }
            }
            let subnet = nodeSubnet(
                node.subnet, p[Key.subnet], family: .ipv4, length: 24, range: network?.ipv4Range,
                others: &subnets, index: i, nodesPath: path, member: Key.subnet)
            let ipv6Subnet = nodeSubnet(
                node.ipv6Subnet, p[Key.ipv6Subnet], family: .ipv6, length: 64, range: network?.ipv6Range,
                others: &ipv6Subnets, index: i, nodesPath: path, member: Key.ipv6Subnet)
            var port: UInt16?
            if !Deployment.listenPorts.contains(node.listenPort) {
                problems.add(p[Key.listenPort], "port \(node.listenPort) is outside 1024–65535")
            } else if let id, context.usedListenPorts[id]?.contains(UInt16(node.listenPort)) == true {
                problems.add(p[Key.listenPort], "port \(node.listenPort) is already in use on node \(id)")
            } else {
                port = UInt16(node.listenPort)
            }
            var publicKey = wireGuardKey(node.publicKey, p[Key.publicKey])
            if let key = publicKey {
                if let earlier = keys[key] {
                    problems.add(p[Key.publicKey], "is also the public key of \(path[earlier])")
                    publicKey = nil
                } else {
                    keys[key] = i
                }
            }
            var sealed: SealedPrivateKey?
            do { sealed = try SealedPrivateKey(node.sealedPrivateKey) } catch {
                problems.add(p[Key.sealedPrivateKey], error.description)
            }
            let peers = self.peers(
                node.peers, p[Key.peers], ownKey: publicKey, ownSubnets: [subnet, ipv6Subnet].compactMap { $0 },
                network: network)
            guard let id, let subnet, let ipv6Subnet, let port, let publicKey, let sealed, let peers else {
                complete = false
                continue
            }
            out.append(
                ValidatedDeployment.Node(
                    id: id, subnet: subnet, ipv6Subnet: ipv6Subnet, listenPort: port, publicKey: publicKey,
                    sealedPrivateKey: sealed, peers: peers))
        }
        return complete ? out : nil
    }

    mutating func nodeSubnet(
        _ text: String, _ path: DocumentPath, family: Family, length: UInt8, range: IPPrefix?,
        others: inout [(IPPrefix, Int)], index: Int, nodesPath: DocumentPath, member: String
    ) -> IPPrefix? {
        guard let subnet = prefix(text, path, family: family) else { return nil }
        guard subnet.length == length else {
            let what = family == .ipv4 ? "IPv4 subnet" : "IPv6 subnet"
            problems.add(path, "a node's \(what) must be a /\(length), not /\(subnet.length)")
            return nil
        }
        if let range, !inside(subnet, range) {
            problems.add(path, "\(subnet) is not inside the network range \(range)")
            return nil
        }
        if let (other, j) = others.first(where: { $0.0.overlaps(subnet) }) {
            problems.add(path, "\(subnet) overlaps \(nodesPath[j][member]) (\(other))")
            return nil
        }
        others.append((subnet, index))
        return subnet
    }

    // MARK: Peers

    mutating func peers(
        _ peers: [Deployment.Peer], _ path: DocumentPath, ownKey: WireGuardKey?, ownSubnets: [IPPrefix],
        network: ValidatedDeployment.Network?
    ) -> [PeerConfiguration]? {
        var out: [PeerConfiguration] = []
        var complete = true
        var keys: [WireGuardKey: Int] = [:]
        var prefixes: [IPPrefix: Int] = [:]
        for (i, peer) in peers.enumerated() {
            let p = path[i]
            var key = wireGuardKey(peer.publicKey, p[Key.publicKey])
            if let k = key {
                if k == ownKey {
                    problems.add(p[Key.publicKey], "is this node's own public key")
                    key = nil
                } else if let earlier = keys[k] {
                    problems.add(p[Key.publicKey], "is also the public key of \(path[earlier])")
                    key = nil
                } else {
                    keys[k] = i
                }
            }
            var allowed: [IPPrefix] = []
            var allowedComplete = true
            if peer.allowedIPs.isEmpty {
                problems.add(p[Key.allowedIPs], "a peer needs at least one allowed IP")
                allowedComplete = false
            }
            var mine: Set<IPPrefix> = []
            for (j, text) in peer.allowedIPs.enumerated() {
                let ap = p[Key.allowedIPs][j]
                guard let prefix = prefix(text, ap, family: nil) else {
                    allowedComplete = false
                    continue
                }
                if let network, !inside(prefix, network.ipv4Range), !inside(prefix, network.ipv6Range),
                    !inside(prefix, ReservedRanges.wireGuardAddresses)
                {
                    problems.add(
                        ap, "\(prefix) is outside the network's ranges and the WireGuard address block 100.64.0.0/16")
                    allowedComplete = false
                } else if let own = ownSubnets.first(where: { inside(prefix, $0) }) {
                    problems.add(ap, "\(prefix) lies inside this node's own subnet \(own)")
                    allowedComplete = false
                } else if !mine.insert(prefix).inserted {
                    problems.add(ap, "\(prefix) is listed twice")
                    allowedComplete = false
                } else if let earlier = prefixes[prefix] {
                    problems.add(ap, "\(prefix) is also an allowed IP of \(path[earlier])")
                    allowedComplete = false
                } else {
                    prefixes[prefix] = i
                    allowed.append(prefix)
                }
            }
            var endpoint: Endpoint?
            var endpointValid = true
            if let text = peer.endpoint {
                endpoint = self.endpoint(text, p[Key.endpoint])
                endpointValid = endpoint != nil
            }
            var keepalive: UInt16 = 0
            var keepaliveValid = true
            if let seconds = peer.persistentKeepalive {
                if let value = UInt16(exactly: seconds) {
                    keepalive = value
                } else {
                    problems.add(p[Key.persistentKeepalive], "\(seconds) is outside 0–65535 seconds")
                    keepaliveValid = false
                }
            }
            guard let key, allowedComplete, endpointValid, keepaliveValid else {
                complete = false
                continue
            }
            out.append(
                PeerConfiguration(
                    publicKey: key, endpoint: endpoint, persistentKeepalive: keepalive, allowedIPs: allowed))
        }
        return complete ? out : nil
    }

    mutating func endpoint(_ text: String, _ path: DocumentPath) -> Endpoint? {
        let endpoint: Endpoint
        do { endpoint = try WireGuardValueSyntax.endpoint(text) } catch {
            problems.add(path, error.description)
            return nil
        }
        if endpoint.scopeID != 0 {
            problems.add(
                path, "a scoped IPv6 endpoint names an interface of one machine; it means nothing on another node")
            return nil
        }
        let bytes = endpoint.address.bytes
        if bytes.allSatisfy({ $0 == 0 }) {
            problems.add(path, "the unspecified address is not an endpoint")
            return nil
        }
        if endpoint.address.isIPv4 ? bytes[0] >= 224 && bytes[0] < 240 : bytes[0] == 0xff {
            problems.add(path, "a multicast address is not an endpoint")
            return nil
        }
        if endpoint.description != text {
            problems.add(path, "write this endpoint as \(endpoint)")
            return nil
        }
        return endpoint
    }

    // MARK: Signatures

    mutating func signatureFormat(_ entry: Deployment.Signature, _ path: DocumentPath) {
        let twin = identity(entry.twin, path[Key.twin])
        var key: Ed25519PublicKey?
        do { key = try Ed25519PublicKey(entry.publicKey) } catch {
            problems.add(path[Key.publicKey], error.description)
        }
        do { _ = try Ed25519Signature(entry.signature) } catch { problems.add(path[Key.signature], error.description) }
        if let twin, let key, key.id != twin {
            problems.add(path[Key.publicKey], "is not the key of twin \(twin): it is the key of \(key.id)")
        }
    }

    // MARK: Values

    enum Family { case ipv4, ipv6 }

    mutating func identity(_ text: String, _ path: DocumentPath) -> IdentityID? {
        do { return try IdentityID(text) } catch {
            problems.add(path, error.description)
            return nil
        }
    }

    mutating func wireGuardKey(_ text: String, _ path: DocumentPath) -> WireGuardKey? {
        guard let key = WireGuardKey(base64: text) else {
            problems.add(
                path,
                "not a WireGuard key: expected 44 characters of base64 encoding 32 bytes "
                    + "(found \(text.utf8.count) characters)")
            return nil
        }
        guard !key.isZero else {
            problems.add(path, "the all-zero key is not a public key")
            return nil
        }
        return key
    }

    /// A prefix of `family` (either when `nil`) written in canonical form.
    mutating func prefix(_ text: String, _ path: DocumentPath, family: Family?) -> IPPrefix? {
        let prefix: IPPrefix
        do { prefix = try IPPrefix(text) } catch {
            problems.add(path, error.description)
            return nil
        }
        if family == .ipv4, !prefix.isIPv4 {
            problems.add(path, "expected an IPv4 prefix, found \(text)")
            return nil
        }
        if family == .ipv6, prefix.isIPv4 {
            problems.add(path, "expected an IPv6 prefix, found \(text)")
            return nil
        }
        guard prefix.description == text else {
            let address = text.split(separator: "/").first.flatMap { try? IPAddress($0) }
            if !text.contains("/") {
                problems.add(path, "give a prefix length: write \(prefix)")
            } else if let address, address != prefix.address {
                problems.add(path, "\(text) has host bits set: write \(prefix)")
            } else {
                problems.add(path, "write this prefix as \(prefix)")
            }
            return nil
        }
        return prefix
    }

    /// Whether `inner` lies entirely inside `outer`.
    func inside(_ inner: IPPrefix, _ outer: IPPrefix) -> Bool {
        inner.isIPv4 == outer.isIPv4 && inner.length >= outer.length && outer.contains(inner.address)
    }
}
