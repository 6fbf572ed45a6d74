import ZmeshModel

extension MeshSimulator {
    /// The machines with their lookup tables built once.
    struct Compiled {
        enum Route { case bridge, wireGuard }

        let machines: [SimulatedMachine]
        let allowed: [PrefixTable<Int>]
        let routes: [PrefixTable<Route>]
        let peerByKey: [[WireGuardKey: Int]]
        let machineByKey: [WireGuardKey: Int]

        init(_ machines: [SimulatedMachine]) {
            self.machines = machines
            allowed = machines.map { machine in
                var table = PrefixTable<Int>()
                for (p, peer) in machine.peers.enumerated() {
                    for prefix in peer.allowedIPs { table.insert(prefix, p) }
                }
                return table
            }
            routes = machines.map { machine in
                var table = PrefixTable<Route>()
                for prefix in machine.wireGuardRoutes { table.insert(prefix, .wireGuard) }
                for prefix in machine.bridgePrefixes { table.insert(prefix, .bridge) }
                return table
            }
            peerByKey = machines.map { machine in
                var keys: [WireGuardKey: Int] = [:]
                for (p, peer) in machine.peers.enumerated() { keys[peer.publicKey] = p }
                return keys
            }
            var byKey: [WireGuardKey: Int] = [:]
            for (m, machine) in machines.enumerated() { byKey[machine.publicKey] = m }
            machineByKey = byKey
        }

        func send(from origin: Int, source: IPAddress, to destination: IPAddress) -> Trace {
            var at = origin
            var path = [origin]
            var arrivedFrom: Int?
            while true {
                let machine = machines[at]
                if let from = arrivedFrom {
                    guard let peer = peerByKey[at][machines[from].publicKey] else {
                        return Trace(path: path, outcome: .dropped(at, "no peer for \(machines[from].kind)'s key"))
                    }
                    guard allowed[at].lookup(source) == peer else {
                        return Trace(
                            path: path,
                            outcome: .dropped(
                                at, "source check: \(source) is not an allowed IP of \(machines[from].kind)"))
                    }
                }
                if machine.localAddresses.contains(destination) { return Trace(path: path, outcome: .delivered(at)) }
                switch routes[at].lookup(destination) {
                case .bridge?:
                    return Trace(path: path, outcome: .delivered(at))
                case nil:
                    return Trace(
                        path: path, outcome: .dropped(at, "no route to \(destination) (it would leave the network)"))
                case .wireGuard?:
                    break
                }
                if arrivedFrom != nil, !machine.forwards {
                    return Trace(path: path, outcome: .dropped(at, "the machine does not forward"))
                }
                guard let peer = allowed[at].lookup(destination) else {
                    return Trace(
                        path: path, outcome: .dropped(at, "no WireGuard peer has \(destination) in its allowed IPs"))
                }
                let entry = machine.peers[peer]
                guard let next = machineByKey[entry.publicKey] else {
                    return Trace(
                        path: path, outcome: .dropped(at, "peer \(entry.publicKey) is no machine of the network"))
                }
                if machine.isBehindNAT, machines[next].isBehindNAT {
                    return Trace(
                        path: path,
                        outcome: .dropped(at, "tunnel between two machines behind NAT (to \(machines[next].kind))"))
                }
                guard let back = peerByKey[next][machine.publicKey] else {
                    return Trace(path: path, outcome: .dropped(at, "\(machines[next].kind) has no peer for this key"))
                }
                guard canSend(from: at, entry: entry, to: next, back: machines[next].peers[back]) else {
                    return Trace(
                        path: path, outcome: .dropped(at, "the tunnel to \(machines[next].kind) cannot come up"))
                }
                guard path.count <= MeshSimulator.hopLimit else {
                    return Trace(path: path, outcome: .dropped(at, "loop: more than \(MeshSimulator.hopLimit) tunnels"))
                }
                arrivedFrom = at
                at = next
                path.append(next)
            }
        }

        /// Whether `from` can send to `to` over WireGuard: it dials `to` itself, or `to` dials it and
        /// keeps the session up with a keepalive.
        func canSend(from: Int, entry: PeerConfiguration, to: Int, back: PeerConfiguration) -> Bool {
            dials(from, entry, to) || (dials(to, back, from) && back.persistentKeepalive > 0)
        }

        /// Whether `machine` reaches `target` at the endpoint of `entry`.
        func dials(_ machine: Int, _ entry: PeerConfiguration, _ target: Int) -> Bool {
            guard let endpoint = entry.endpoint else { return false }
            let t = machines[target]
            return !t.isBehindNAT && t.listenPort == endpoint.port && t.publicAddresses.contains(endpoint.address)
                && machines[machine].dialFamilies.contains(IPFamily(of: endpoint.address))
        }
    }
}
