import ZmeshTestSupport

/// The namespace and link steps the grid's parts share (the LAN, public nodes, NAT routers).
extension Grid {
    /// `ip netns add name`, its deletion registered with the grid's fixture first.
    func addNamespace(_ name: String) throws(GridError) {
        let ip = GridEnvironment.path("ip")
        let command = command
        try command.run([ip, "netns", "add", name]).output()
        fixture.addCleanup("delete namespace \(name)") {
            let result = try command.run([ip, "netns", "delete", name])
            if !result.succeeded { throw GridError("delete namespace", name, result.description) }
        }
    }

    /// A port of the internet bridge: the veth `port` in the LAN namespace, enslaved to the bridge and
    /// up, whose other end is `inside` in `namespace`, up with `addresses` (`address/length`; IPv6
    /// without duplicate address detection), `lo` up there too.
    func plugIntoInternet(port: String, namespace: String, inside: String, addresses: [String]) throws(GridError) {
        let ip = GridEnvironment.path("ip")
        var steps = [
            [ip, "-n", lanNamespace, "link", "add", port, "type", "veth", "peer", "name", inside, "netns", namespace],
            [ip, "-n", lanNamespace, "link", "set", port, "master", Self.bridge, "up"],
            [ip, "-n", namespace, "link", "set", "lo", "up"],
        ]
        for address in addresses {
            steps.append([ip, "-n", namespace, "addr", "add", address, "dev", inside] + (address.contains(":") ? ["nodad"] : []))
        }
        steps.append([ip, "-n", namespace, "link", "set", inside, "up"])
        for step in steps { try command.run(step).output() }
    }
}
