import RouteNL
import Testing
import ZmeshModel
import ZmeshTestSupport

#if canImport(Glibc)
import Glibc
#endif

@Suite("Routes over libnl-route-3, checked against ip -j route", .requiresNetworkPrivileges)
struct RouteTests {
    /// A namespace with a veth up, 10.50.0.1/24 and fd00:50::1/64 on it.
    private func prepared(_ f: NamespaceFixture) throws -> (RouteNetlink, InterfaceName) {
        let rt = try RouteNetlink(namespace: try f.namespace("a"))
        let v = try f.linkName("v")
        try rt.createVeth(v, peer: try f.linkName("w"), up: true)
        try rt.setUp(try f.linkName("w"))
        try rt.addAddress(try InterfaceAddress("10.50.0.1/24"), to: v)
        try rt.addAddress(try InterfaceAddress("fd00:50::1/64"), to: v)
        return (rt, v)
    }

    struct Case: Sendable, CustomTestStringConvertible {
        let destination: String
        let gateway: String?
        let viaDevice: Bool
        let metric: UInt32?
        let table: UInt32
        var testDescription: String {
            "\(destination)\(gateway.map { " via \($0)" } ?? "")\(viaDevice ? " dev" : "")\(metric.map { " metric \($0)" } ?? "") table \(table)"
        }
    }

    static let cases: [Case] = [
        Case(destination: "10.60.0.0/16", gateway: "10.50.0.2", viaDevice: false, metric: nil, table: 254),
        Case(destination: "10.61.0.0/16", gateway: nil, viaDevice: true, metric: 100, table: 254),
        Case(destination: "0.0.0.0/0", gateway: "10.50.0.254", viaDevice: true, metric: nil, table: 254),
        Case(destination: "10.62.1.0/24", gateway: "10.50.0.3", viaDevice: true, metric: 20, table: 100),
        Case(destination: "fd00:60::/48", gateway: "fd00:50::2", viaDevice: true, metric: nil, table: 254),
        Case(destination: "fd00:61::/64", gateway: nil, viaDevice: true, metric: 300, table: 1000),
        Case(destination: "::/0", gateway: "fd00:50::fe", viaDevice: false, metric: nil, table: 254),
    ]

    @Test(arguments: cases)
    func addReplaceDeleteAndList(_ testCase: Case) throws {
        try NamespaceFixture.with { f in
            let (rt, v) = try prepared(f)
            let ns = f.namespaceName("a")
            let route = Route(
                destination: try IPPrefix(testCase.destination), gateway: try testCase.gateway.map { try IPAddress($0) },
                device: testCase.viaDevice ? v : nil, metric: testCase.metric, table: RouteTable(rawValue: testCase.table))
            try rt.addRoute(route)

            let oracle = try #require(try oracleRoute(route, in: ns))
            #expect(oracle.gateway == testCase.gateway)
            #expect(oracle.dev == v.rawValue)
            #expect(oracle.protocol == "static")
            let expectedMetric = testCase.metric ?? (route.destination.isIPv4 ? nil : 1024)
            #expect(oracle.metric == expectedMetric.map(Int.init))
            // iproute2 leaves out "scope" when it is global.
            #expect(oracle.scope == (route.destination.isIPv4 && testCase.gateway == nil ? "link" : nil))

            let listed = try rt.routes(table: route.table).filter { $0.destination == route.destination }
            #expect(listed.count == 1)
            #expect(listed.first?.gateway == route.gateway)
            #expect(listed.first?.device == v)
            #expect(listed.first?.routeProtocol == .static)

            let duplicate = #expect(throws: RouteNLError.self) { try rt.addRoute(route) }
            #expect(duplicate?.code == .exists)
            try rt.replaceRoute(route)
            #expect(try IPRouteOracle.routes(in: ns).filter { matches($0, route) }.count == 1)

            try rt.deleteRoute(route)
            #expect(try oracleRoute(route, in: ns) == nil)
            let missing = #expect(throws: RouteNLError.self) { try rt.deleteRoute(route) }
            #expect(missing?.code == .notFound)
        }
    }

    @Test func replaceChangesTheGatewayInPlace() throws {
        try NamespaceFixture.with { f in
            let (rt, v) = try prepared(f)
            var route = Route(destination: try IPPrefix("10.70.0.0/16"), gateway: try IPAddress("10.50.0.2"), device: v)
            try rt.replaceRoute(route)
            route.gateway = try IPAddress("10.50.0.3")
            try rt.replaceRoute(route)
            let seen = try IPRouteOracle.routes(in: f.namespaceName("a")).filter { $0.dst == "10.70.0.0/16" }
            #expect(seen.count == 1)
            #expect(seen.first?.gateway == "10.50.0.3")
        }
    }

    /// `ip route del` semantics: routes zmesh did not make (iproute2's `proto boot`, the kernel's
    /// connected routes with `proto kernel scope link`) are deleted by destination (and gateway or
    /// device) alone; a protocol given explicitly still narrows the match.
    @Test func deletesRoutesOthersMade() throws {
        try NamespaceFixture.with { f in
            let (rt, v) = try prepared(f)
            let ns = f.namespaceName("a")
            try ShellCommand.run(["ip", "-n", ns, "route", "add", "10.66.0.0/16", "via", "10.50.0.2"])
            try ShellCommand.run(["ip", "-n", ns, "route", "add", "10.67.0.0/16", "dev", v.rawValue])
            try ShellCommand.run(["ip", "-n", ns, "-6", "route", "add", "fd00:66::/48", "via", "fd00:50::2"])
            func main(_ destination: String) throws -> IPRouteOracle.RouteJSON? {
                try IPRouteOracle.routes(in: ns, details: true).first { $0.dst == destination && ($0.table ?? "main") == "main" }
            }
            for destination in ["10.66.0.0/16", "10.67.0.0/16", "fd00:66::/48"] {
                #expect(try main(destination)?.protocol == "boot", "\(destination) made by iproute2")
            }
            #expect(try main("10.67.0.0/16")?.scope == "link")
            #expect(try main("10.50.0.0/24")?.protocol == "kernel")
            #expect(try main("10.50.0.0/24")?.scope == "link")
            #expect(try main("fd00:50::/64")?.protocol == "kernel")

            // An explicit protocol must match.
            let wrongProtocol = #expect(throws: RouteNLError.self) {
                try rt.deleteRoute(Route(destination: try IPPrefix("10.66.0.0/16"), routeProtocol: .static))
            }
            #expect(wrongProtocol?.code == .notFound)
            #expect(try main("10.66.0.0/16") != nil)

            try rt.deleteRoute(Route(destination: try IPPrefix("10.66.0.0/16"), gateway: try IPAddress("10.50.0.2")))
            try rt.deleteRoute(Route(destination: try IPPrefix("10.67.0.0/16"), routeProtocol: .boot))
            try rt.deleteRoute(Route(destination: try IPPrefix("fd00:66::/48")))
            try rt.deleteRoute(Route(destination: try IPPrefix("10.50.0.0/24"), device: v))
            try rt.deleteRoute(Route(destination: try IPPrefix("fd00:50::/64"), device: v))
            for destination in ["10.66.0.0/16", "10.67.0.0/16", "fd00:66::/48", "10.50.0.0/24", "fd00:50::/64"] {
                #expect(try main(destination) == nil, "\(destination) deleted")
            }
            // The addresses stay; only their connected routes went.
            #expect(try IPRouteOracle.addressStrings(in: ns).contains { $0.address == "10.50.0.1/24" })
        }
    }

    @Test func listMatchesIproute2ForTheMainTable() throws {
        try NamespaceFixture.with { f in
            let (rt, v) = try prepared(f)
            try rt.addRoute(Route(destination: try IPPrefix("10.80.0.0/16"), gateway: try IPAddress("10.50.0.2")))
            try rt.addRoute(Route(destination: try IPPrefix("0.0.0.0/0"), gateway: try IPAddress("10.50.0.254"), device: v))
            try rt.addRoute(Route(destination: try IPPrefix("fd00:80::/48"), gateway: try IPAddress("fd00:50::2"), metric: 5))
            let oracle = try IPRouteOracle.routes(in: f.namespaceName("a")).filter { ($0.table ?? "main") == "main" }
            let ours = try rt.routes(table: .main)
            func key(_ destination: String, _ gateway: String?, _ device: String?, _ metric: Int?) -> String {
                "\(destination) via \(gateway ?? "-") dev \(device ?? "-") metric \(metric ?? 0)"
            }
            let expected = Set(oracle.map { route in
                let destination = route.dst == "default" ? (route.gateway?.contains(":") == true ? "::/0" : "0.0.0.0/0") : route.dst
                return key(destination, route.gateway, route.dev, route.metric)
            })
            let listed = Set(ours.map { route in
                key(normalised(route.destination.description), route.gateway?.description, route.device?.rawValue, route.metric.map(Int.init))
            })
            #expect(listed == expected)
            #expect(ours.count == oracle.count)
        }
    }

    @Test func errorsNameTheRouteAndNamespace() throws {
        try NamespaceFixture.with { f in
            let (rt, v) = try prepared(f)
            // A gateway on no connected network.
            let unreachable = Route(destination: try IPPrefix("10.90.0.0/16"), gateway: try IPAddress("192.0.2.1"), device: v)
            let error = #expect(throws: RouteNLError.self) { try rt.addRoute(unreachable) }
            #expect(error?.code == .kernel(errno: ENETUNREACH))
            #expect(error?.object == "route 10.90.0.0/16 via 192.0.2.1 dev \(v)")
            #expect(error?.namespace == "namespace \(f.namespaceName("a"))")
            // Mixed families are refused before sending.
            let mixed = Route(destination: try IPPrefix("10.91.0.0/16"), gateway: try IPAddress("fd00:50::2"))
            #expect(throws: RouteNLError.self) { try rt.addRoute(mixed) }
            let missing = Route(destination: try IPPrefix("10.92.0.0/16"), device: try f.linkName("none"))
            let noDevice = #expect(throws: RouteNLError.self) { try rt.addRoute(missing) }
            #expect(noDevice?.code == .noSuchDevice)
        }
    }

    private func oracleRoute(_ route: Route, in ns: String) throws -> IPRouteOracle.RouteJSON? {
        try IPRouteOracle.routes(in: ns).first { matches($0, route) }
    }

    private func matches(_ json: IPRouteOracle.RouteJSON, _ route: Route) -> Bool {
        let table = route.table == .main ? "main" : String(route.table.rawValue)
        let destination = route.isDefault ? "default" : normalised(route.destination.description)
        return json.dst == destination && (json.table ?? "main") == table && json.type == nil
            || json.dst == destination && (json.table ?? "main") == table && json.type == "unicast"
    }

    /// iproute2 prints host routes without their /32 or /128.
    private func normalised(_ text: String) -> String {
        text.hasSuffix("/32") || text.hasSuffix("/128") ? String(text.split(separator: "/")[0]) : text
    }
}
