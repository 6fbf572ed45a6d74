// swift-tools-version: 6.1
import PackageDescription

let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
]

let package = Package(
    name: "zmesh",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "zmesh", targets: ["zmesh"]),
        .library(name: "WireGuardNL", targets: ["WireGuardNL"]),
        .library(name: "ZmeshModel", targets: ["ZmeshModel"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
        .package(url: "https://github.com/x-sheep/swift-property-based", from: "2.0.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.0.0"),
        .package(url: "https://github.com/vapor/sql-kit", from: "3.36.0"),
        .package(url: "https://github.com/vapor/sqlite-kit", from: "4.5.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.80.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.0.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.0.0"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.27.0"),
    ],
    targets: [
        // C libraries, each behind one system-library target and imported by exactly one Swift module.
        .systemLibrary(name: "CMnl", pkgConfig: "libmnl", providers: [.apt(["libmnl-dev", "linux-libc-dev"])]),
        .systemLibrary(name: "CSodium", pkgConfig: "libsodium", providers: [.apt(["libsodium-dev"])]),
        .systemLibrary(name: "CCurl", pkgConfig: "libcurl", providers: [.apt(["libcurl4-openssl-dev"])]),
        .systemLibrary(
            name: "CNLRoute", pkgConfig: "libnl-route-3.0", providers: [.apt(["libnl-3-dev", "libnl-route-3-dev"])]),
        .systemLibrary(name: "CNFTables", pkgConfig: "libnftables", providers: [.apt(["libnftables-dev"])]),
        // What Swift cannot import directly: _GNU_SOURCE functions, variadic functions, function-like macros.
        .target(name: "CZmeshShims", cSettings: [.define("_GNU_SOURCE")]),

        // Pure core: value types, WireGuard configuration model and its text formats. No C, no I/O.
        .target(name: "ZmeshModel", swiftSettings: swiftSettings),
        // libsodium: key generation and derivation (the only importer of CSodium).
        .target(name: "ZmeshCrypto", dependencies: ["CSodium", "ZmeshModel"], swiftSettings: swiftSettings),
        // System calls: errno-typed errors, namespaces, threads pinned to a namespace.
        .target(
            name: "SystemSupport", dependencies: ["CZmeshShims", .product(name: "Logging", package: "swift-log")],
            swiftSettings: swiftSettings),
        // Netlink over libmnl (the only importer of CMnl): sockets, message building and parsing, ACK/extack.
        .target(
            name: "Netlink", dependencies: ["CMnl", "SystemSupport", .product(name: "Logging", package: "swift-log")],
            swiftSettings: swiftSettings),
        // WireGuard devices: kernel (generic netlink) and userspace (UAPI) backends, diff and apply.
        .target(
            name: "WireGuardNL",
            dependencies: [
                "Netlink", "RouteNL", "SystemSupport", "ZmeshModel", "ZmeshCrypto",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings),
        // Links, addresses, routes and link events over libnl-route-3 (the only importer of CNLRoute).
        .target(
            name: "RouteNL",
            dependencies: ["CNLRoute", "SystemSupport", "ZmeshModel", .product(name: "Logging", package: "swift-log")],
            swiftSettings: swiftSettings),
        // nftables tables through libnftables (the only importer of CNFTables), and the rule sets zmesh needs.
        .target(
            name: "Firewall",
            dependencies: ["CNFTables", "SystemSupport", "ZmeshModel", .product(name: "Logging", package: "swift-log")],
            swiftSettings: swiftSettings),
        // Strict RFC 8259 JSON: the value type, the parser and the deterministic writer. Pure: no C module, no
        // Foundation, no dependency.
        .target(name: "ZmeshJSON", swiftSettings: swiftSettings),
        // Identities, signed deployments, canonical encoding, weighted multisig, validation. Imports no C module.
        .target(
            name: "Deployments", dependencies: ["ZmeshModel", "ZmeshCrypto", "ZmeshJSON"], swiftSettings: swiftSettings),
        // The mesh planner: network spec + node facts (+ previous plan) → per-node network resources and user
        // access files, and the simulator that proves them. Pure: no C import, no socket, no file.
        .target(
            name: "MeshPlanner", dependencies: ["ZmeshModel", "ZmeshCrypto", "Deployments", "ZmeshJSON"],
            swiftSettings: swiftSettings),
        // The node agent's pure core: the desired state of a node and its network resources, the snapshot of
        // the actual state, and the plan of idempotent actions between them. Imports no C module (Firewall only for
        // its pure rule-set types); no socket, no file.
        .target(
            name: "NodeState", dependencies: ["ZmeshModel", "ZmeshCrypto", "Deployments", "Firewall"],
            swiftSettings: swiftSettings),
        // The node agent: the reader (kernel → NodeSnapshot), the applier (NodeAction → kernel) over SystemSupport,
        // RouteNL, WireGuardNL and Firewall, and the daemon (registry mailbox, status reports, drift repair).
        // Imports no C module itself.
        .target(
            name: "NodeAgent",
            dependencies: [
                "NodeState", "SystemSupport", "RouteNL", "WireGuardNL", "Firewall", "ZmeshModel", "ZmeshCrypto",
                "Deployments", "RegistryClient",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings),
        // What the registry and its clients share: the request-signing scheme. No server or HTTP stack.
        .target(name: "RegistryProtocol", dependencies: ["ZmeshCrypto"], swiftSettings: swiftSettings),
        // The registry client over libcurl (the only importer of CCurl): async API on one multi handle and one
        // thread, signed requests, retries, the mailbox long-poll loop. No Foundation, no server or NIO stack.
        .target(
            name: "RegistryClient",
            dependencies: [
                "CCurl", "RegistryProtocol", "ZmeshCrypto", "ZmeshJSON", "ZmeshModel", "SystemSupport",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings),
        // The registry server: Hummingbird HTTP API under /v1, signed requests, SQLKit storage, node mailboxes.
        .target(
            name: "Registry",
            dependencies: [
                "ZmeshModel", "ZmeshCrypto", "Deployments", "RegistryProtocol",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTLS", package: "hummingbird"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "SQLKit", package: "sql-kit"),
                .product(name: "SQLiteKit", package: "sqlite-kit"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings),
        // The command tree of the zmesh executable.
        .target(
            name: "ZmeshCommands",
            dependencies: [
                "WireGuardNL", "ZmeshModel", "ZmeshCrypto", "SystemSupport", "RouteNL", "Firewall", "Deployments",
                "MeshPlanner", "Registry", "RegistryClient", "ZmeshJSON", "NodeState", "NodeAgent", "GridSupport",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Yams", package: "Yams"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings),
        .executableTarget(name: "zmesh", dependencies: ["ZmeshCommands"], swiftSettings: swiftSettings),

        // Kernel-WireGuard checks run inside the QEMU guest (integration/vm/run.sh).
        .executableTarget(
            name: "zmesh-kernel-checks",
            dependencies: [
                "WireGuardNL", "RouteNL", "ZmeshModel", "ZmeshCrypto", "SystemSupport", "NodeAgent", "NodeState",
                "DeploymentTestSupport", "Deployments", .product(name: "Logging", package: "swift-log"),
            ],
            path: "integration/kernel-checks",
            swiftSettings: swiftSettings),

        .target(
            name: "ZmeshTestSupport",
            dependencies: [
                "SystemSupport", "Netlink", "WireGuardNL", "ZmeshModel", "RouteNL", "Firewall",
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Tests/ZmeshTestSupport",
            swiftSettings: swiftSettings),
        .testTarget(name: "ZmeshModelTests", dependencies: ["ZmeshModel"], swiftSettings: swiftSettings),
        .testTarget(name: "ZmeshJSONTests", dependencies: ["ZmeshJSON"], swiftSettings: swiftSettings),
        .testTarget(
            name: "WireGuardNLTests",
            dependencies: [
                "WireGuardNL", "Netlink", "RouteNL", "ZmeshModel", "ZmeshCrypto", "ZmeshTestSupport", "SystemSupport",
            ],
            swiftSettings: swiftSettings),
        .testTarget(
            name: "NetworkPrimitivesTests",
            dependencies: ["RouteNL", "Firewall", "SystemSupport", "ZmeshModel", "ZmeshTestSupport"],
            swiftSettings: swiftSettings),
        // Deterministic identities and a valid signed deployment, shared by DeploymentsTests and RegistryTests.
        .target(
            name: "DeploymentTestSupport", dependencies: ["Deployments", "ZmeshCrypto", "ZmeshModel"],
            path: "Tests/DeploymentTestSupport", swiftSettings: swiftSettings),
        .testTarget(
            name: "DeploymentsTests",
            dependencies: [
                "Deployments", "ZmeshModel", "ZmeshCrypto", "ZmeshJSON", "DeploymentTestSupport",
                .product(name: "PropertyBased", package: "swift-property-based"),
            ],
            swiftSettings: swiftSettings),
        .testTarget(
            name: "MeshPlannerTests",
            dependencies: [
                "MeshPlanner", "ZmeshModel", "ZmeshCrypto", "Deployments",
                .product(name: "PropertyBased", package: "swift-property-based"),
            ],
            swiftSettings: swiftSettings),
        .testTarget(
            name: "NodeStateTests",
            dependencies: [
                "NodeState", "Deployments", "DeploymentTestSupport", "Firewall", "ZmeshModel", "ZmeshCrypto",
                .product(name: "PropertyBased", package: "swift-property-based"),
            ],
            swiftSettings: swiftSettings),
        .testTarget(
            name: "NodeAgentTests",
            dependencies: [
                "NodeAgent", "NodeState", "Deployments", "DeploymentTestSupport", "Firewall", "RouteNL",
                "SystemSupport", "WireGuardNL", "ZmeshModel", "ZmeshCrypto", "ZmeshTestSupport",
            ],
            swiftSettings: swiftSettings),
        .testTarget(
            name: "RegistryTests",
            dependencies: [
                "Registry", "RegistryProtocol", "RegistryTestSupport", "ZmeshModel", "ZmeshCrypto", "Deployments",
                "DeploymentTestSupport",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings),
        // A registry served in-process for tests, shared by RegistryTests and RegistryClientTests.
        .target(
            name: "RegistryTestSupport",
            dependencies: [
                "Registry", .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Tests/RegistryTestSupport", swiftSettings: swiftSettings),
        .testTarget(
            name: "RegistryClientTests",
            dependencies: [
                "RegistryClient", "Registry", "RegistryTestSupport", "RegistryProtocol", "ZmeshModel", "ZmeshCrypto", "Deployments",
                "DeploymentTestSupport", "SystemSupport",
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings),
        // The node agent's daemon in-process: a real registry over HTTP on 127.0.0.1, the real reconciler in
        // test namespaces.
        .testTarget(
            name: "NodeDaemonTests",
            dependencies: [
                "NodeAgent", "NodeState", "Deployments", "DeploymentTestSupport", "RegistryClient", "RegistryTestSupport",
                "MeshPlanner", "SystemSupport", "WireGuardNL", "RouteNL", "ZmeshModel", "ZmeshCrypto", "ZmeshTestSupport",
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings),
        // The simulated grid: nodes are network namespaces plus private mount and PID namespaces running a real
        // `zmesh node`, a registry process on a simulated internet. Shared by the grid tests and `zmesh demo`.
        .target(
            name: "GridSupport",
            dependencies: [
                "SystemSupport", "ZmeshModel", "ZmeshCrypto", "Deployments", "MeshPlanner", "RegistryClient",
                "ZmeshTestSupport", .product(name: "Logging", package: "swift-log"),
            ],
            path: "integration/grid", swiftSettings: swiftSettings),
        .testTarget(
            name: "NodeGridTests",
            dependencies: [
                "GridSupport", "SystemSupport", "ZmeshModel", "ZmeshCrypto", "Deployments", "MeshPlanner",
                "RegistryClient", "ZmeshTestSupport", .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings),
        .testTarget(
            name: "ZmeshCommandsTests",
            dependencies: [
                "ZmeshCommands", "ZmeshModel", "ZmeshTestSupport", "WireGuardNL", "ZmeshCrypto",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: swiftSettings),
    ]
)
