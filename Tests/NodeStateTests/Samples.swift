import DeploymentTestSupport
import Deployments
import Firewall
import NodeState
import ZmeshCrypto
import ZmeshModel

/// Validated deployments from `DeploymentTestSupport.Fixtures` (node 1 public with three peers), as
/// several networks of one owner on node 1, each with its own listen port.
enum Samples {
    static let node = Fixtures.node1.id
    static let nodeKey = Fixtures.wireGuardKey(0x31)

    /// Network `name` with node 1 listening on `port`.
    static func deployment(_ name: String = "office", port: Int64 = 51820, edit: (inout Deployment) -> Void = { _ in })
        -> ValidatedDeployment
    {
        var document = Fixtures.deployment(name: name)
        document.nodes[0].listenPort = port
        edit(&document)
        do {
            return try document.validated()
        } catch {
            preconditionFailure("sample deployment \(name) is valid: \(error)")
        }
    }

    static func input(_ deployment: ValidatedDeployment) -> NodeDesiredState.Input {
        NodeDesiredState.Input(deployment: deployment, privateKey: nodeKey)
    }

    /// The desired state of node 1 with networks `names` (ports 51820, 51821, …), with node
    /// setup's uplink when `uplink` is given.
    static func desired(_ names: [String], uplink: NDMZUplink? = nil) -> NodeDesiredState {
        let inputs = names.enumerated().map { input(deployment($1, port: 51820 + Int64($0))) }
        do {
            return try NodeDesiredState(node: node, inputs: inputs, uplink: uplink)
        } catch {
            preconditionFailure("\(error)")
        }
    }

    /// The uplink of a host whose address is 192.0.2.10/24 with its gateway 192.0.2.1 (`hostOnly`).
    static let uplink = NDMZUplink(
        hostAddresses: [address("127.0.0.1/8"), address("192.0.2.10/24"), address("fe80::1/64")],
        defaultGateways: [ip("192.0.2.1")])

    static func ip(_ text: String) -> IPAddress {
        guard let address = try? IPAddress(text) else { preconditionFailure("bad address \(text)") }
        return address
    }

    /// The snapshot of a node whose kernel holds `desired` exactly, got by applying the plan from an
    /// empty node (plus the host's own links).
    static func converged(_ desired: NodeDesiredState, host: NodeSnapshot = hostOnly) -> NodeSnapshot {
        do {
            return try KernelModel.apply(ReconcilePlan(from: host, to: desired), to: host)
        } catch {
            preconditionFailure("the plan from an empty node applies: \(error)")
        }
    }

    static func name(_ text: String) -> InterfaceName {
        guard let name = try? InterfaceName(text) else { preconditionFailure("bad name \(text)") }
        return name
    }

    static func prefix(_ text: String) -> IPPrefix { Fixtures.prefix(text) }

    static func address(_ text: String) -> AssignedAddress {
        guard let address = try? AssignedAddress(text) else { preconditionFailure("bad address \(text)") }
        return address
    }

    static func table(_ text: String) -> TableName {
        guard let name = try? TableName(text) else { preconditionFailure("bad table \(text)") }
        return name
    }

    /// A host with its own links and routes, and no zmesh object.
    static var hostOnly: NodeSnapshot {
        NodeSnapshot(
            publicSide: NamespaceSnapshot(
                links: [
                    ObservedLink(name: name("lo"), kind: nil, mtu: 65536),
                    ObservedLink(name: name("eth0"), kind: nil, addresses: [address("192.0.2.10/24")]),
                ],
                routes: [
                    ObservedRoute(
                        destination: prefix("0.0.0.0/0"), gateway: try? IPAddress("192.0.2.1"), device: name("eth0"))
                ]),
            host: NamespaceSnapshot(settings: [.ipv4Forwarding: "0"]))
    }

    /// Things that belong to others: Docker's bridge and veth on the host, a CNI namespace, a
    /// namespace whose name looks like ours but is not (`n-foo`), an `n-`-prefixed link on the host,
    /// a `w-`-prefixed host link that is not a network id, host links named like the uplink's ends
    /// but not them (`ndmz0`, `host`), a host route, zmesh-looking tables outside our namespaces, a
    /// workload tap with a static route inside an NR, an extra link with a route in the ndmz.
    static func addForeignObjects(to snapshot: inout NodeSnapshot, resource: NetworkID?) {
        snapshot.publicSide.links[name("docker0")] = ObservedLink(
            name: name("docker0"), kind: "bridge", addresses: [address("172.17.0.1/16")])
        snapshot.publicSide.links[name("veth1a2b3c")] = ObservedLink(
            name: name("veth1a2b3c"), kind: "veth", isUp: false)
        snapshot.publicSide.links[name("w-eth0")] = ObservedLink(name: name("w-eth0"), kind: "wireguard")
        snapshot.publicSide.links[name("n-abc")] = ObservedLink(name: name("n-abc"), kind: "veth")
        snapshot.publicSide.links[name("ndmz0")] = ObservedLink(name: name("ndmz0"), kind: "veth")
        snapshot.publicSide.links[name("host")] = ObservedLink(name: name("host"), kind: "bridge")
        snapshot.publicSide.routes.append(
            ObservedRoute(destination: prefix("172.17.0.0/16"), device: name("docker0"), routeProtocol: 2))
        snapshot.publicSide.routes.append(ObservedRoute(destination: prefix("198.51.100.0/24"), device: name("docker0")))
        snapshot.publicSide.tables[table("zmesh-elsewhere")] = .unrecognised
        snapshot.namespaces["cni-1234"] = NamespaceSnapshot(
            links: [
                ObservedLink(name: name("eth0"), kind: "veth", isUp: false),
                ObservedLink(name: name("ndmz"), kind: "dummy", isUp: false),
            ],
            routes: [ObservedRoute(destination: prefix("10.9.0.0/16"), device: name("eth0"))],
            tables: [table("zmesh-nr"): .unrecognised])
        snapshot.namespaces["n-foo"] = NamespaceSnapshot(links: [
            ObservedLink(name: name("w-foo"), kind: "wireguard", isUp: false)
        ])
        snapshot.namespaces["public-ish"] = NamespaceSnapshot()
        if var ndmz = snapshot.namespaces[Ownership.ndmzNamespace] {
            ndmz.links[name("uplink0")] = ObservedLink(name: name("uplink0"), kind: "macvlan", isUp: false)
            // Not a default route: with node setup's uplink the ndmz's default route is the agent's.
            ndmz.routes.append(
                ObservedRoute(
                    destination: prefix("198.51.100.0/24"), gateway: try? IPAddress("192.0.2.1"),
                    device: name("uplink0")))
            snapshot.namespaces[Ownership.ndmzNamespace] = ndmz
        }
        if let resource, var nr = snapshot.namespaces[resource.namespaceName] {
            nr.links[name("t-workload1")] = ObservedLink(name: name("t-workload1"), kind: "tun", isUp: false)
            nr.routes.append(ObservedRoute(destination: prefix("10.99.0.0/16"), device: name("t-workload1")))
            snapshot.namespaces[resource.namespaceName] = nr
        }
    }
}
