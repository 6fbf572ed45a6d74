import SystemSupport
import WireGuardNL
import ZmeshCrypto
import ZmeshModel

#if canImport(Glibc)
import Glibc
#endif

/// The WireGuardNL benchmark: the same operations done by WireGuardNL and by wireguard-tools on
/// the same kernel in the same run, medians of several repetitions, ratios ours/theirs.
struct WireGuardBenchmark {
    let peers: Int
    let iterations: Int
    let budget: Int
    let wgPath: String
    let zmeshPath: String
    let configuration: DeviceConfiguration
    let configPath: String

    init(peers: Int, iterations: Int, budget: Int, wgPath: String, zmeshPath: String) throws {
        self.peers = peers
        self.iterations = max(1, iterations)
        self.budget = budget
        self.wgPath = wgPath
        self.zmeshPath = zmeshPath
        configuration = Self.makeConfiguration(peers: peers)
        // The file holds a private key: it goes in a fresh 0700 directory, created exclusively.
        var template = Array("/tmp/zmesh-bench-XXXXXX".utf8CString)
        let created = template.withUnsafeMutableBufferPointer { buffer in buffer.baseAddress.flatMap { mkdtemp($0) } != nil }
        guard created else { throw BenchmarkError(description: "cannot create a directory in /tmp: errno \(errno)") }
        let directory = String(cString: template)
        configPath = directory + "/device.conf"
        try Self.writeFile(WireGuardConfigText.render(configuration), to: configPath)
    }

    /// Peers with one IPv4 /32 and one IPv6 /128 each and a loopback endpoint (the device stays down,
    /// so nothing is ever sent).
    static func makeConfiguration(peers: Int) -> DeviceConfiguration {
        let list = (0..<peers).map { (i: Int) -> PeerConfiguration in
            let endpointAddress = IPv4Address(127, 1, UInt8(truncatingIfNeeded: i >> 8), UInt8(truncatingIfNeeded: i))
            let v4 = IPAddress.v4(IPv4Address(UInt32(0x0a00_0000) | UInt32(i)))
            let v6 = IPAddress.v6(IPv6Address(high: 0xfd00_0000_0000_0000, low: UInt64(i)))
            // Random 32 bytes are as good a peer key as any to the kernel, and cost no scalar multiplication.
            return PeerConfiguration(
                publicKey: WireGuardKeys.generatePresharedKey(),
                endpoint: Endpoint(address: .v4(endpointAddress), port: UInt16(10000 + i % 50000)),
                allowedIPs: [try! IPPrefix(v4, length: 32), try! IPPrefix(v6, length: 128)])
        }
        return DeviceConfiguration(privateKey: WireGuardKeys.generatePrivateKey(), listenPort: 51820, peers: list)
    }

    /// Runs every case inside a namespace of its own, which is deleted at the end. Devices are never
    /// deleted one by one: the kernel removes a peer after an RCU grace period each (17 ms per peer
    /// measured under QEMU's emulation), so tearing down a 10,000-peer device takes minutes there. Deleting the
    /// namespace hands that work to the kernel's background cleanup instead.
    func run() throws -> [String] {
        defer {
            unlink(configPath)
            rmdir(String(configPath.dropLast("/device.conf".count)))
        }
        let namespaceName = "zmbench-\(getpid())"
        let namespace = try NetworkNamespace.create(named: namespaceName)
        defer { try? NetworkNamespace.delete(named: namespaceName) }
        let benchmark = self
        return try namespace.run { () throws -> [String] in try benchmark.runCases() }
    }

    private func runCases() throws -> [String] {
        let backend = try KernelBackend(messageBudget: budget)
        var lines = ["wireguard benchmark: \(peers) peers, median of \(iterations), netlink budget \(budget) B, kernel WireGuard"]
        lines.append(Self.header)
        var deviceCount = 0
        func freshDevice() throws -> InterfaceName {
            deviceCount += 1
            let name = try InterfaceName("zmb\(deviceCount)")
            try backend.createInterface(name)
            return name
        }

        // 1. Full set on a fresh device.
        var oursLib: [Double] = []
        var oursCLI: [Double] = []
        var theirs: [Double] = []
        for i in 0..<iterations {
            // Alternate who goes first, so neither side always runs on a warmer cache.
            for which in i % 2 == 0 ? [0, 1, 2] : [2, 1, 0] {
                let device = try freshDevice()
                switch which {
                case 0: oursLib.append(try time { try backend.replace(device, with: configuration) })
                case 1: oursCLI.append(try time { try runProcess([zmeshPath, "wg", "setconf", device.rawValue, configPath]) })
                default: theirs.append(try time { try runProcess([wgPath, "setconf", device.rawValue, configPath]) })
                }
                let count = try backend.device(device).peers.count
                try check(count == peers, "setconf left \(count) peers on \(device)")
            }
        }
        lines.append(Self.line("full set (WireGuardNL in-process vs wg setconf)", median(oursLib), median(theirs)))
        lines.append(Self.line("full set (zmesh wg setconf vs wg setconf)", median(oursCLI), median(theirs)))

        // 2. Full read, 3. one-peer change, on one populated device.
        let interface = try freshDevice()
        try backend.replace(interface, with: configuration)
        var readLib: [Double] = []
        var readCLI: [Double] = []
        var readTheirs: [Double] = []
        for _ in 0..<iterations {
            readLib.append(try time { _ = try backend.device(interface) })
            readCLI.append(try time { try runProcess([zmeshPath, "wg", "show", interface.rawValue, "dump"]) })
            readTheirs.append(try time { try runProcess([wgPath, "show", interface.rawValue, "dump"]) })
        }
        lines.append(Self.line("full read (WireGuardNL in-process vs wg show dump)", median(readLib), median(readTheirs)))
        lines.append(Self.line("full read (zmesh wg show dump vs wg show dump)", median(readCLI), median(readTheirs)))

        var setLib: [Double] = []
        var setCLI: [Double] = []
        var setTheirs: [Double] = []
        var applyLib: [Double] = []
        var desired = configuration
        let target = peers / 2
        let key = configuration.peers[target].publicKey
        let endpoint = { (n: Int) in Endpoint(address: .v4(IPv4Address(127, 2, 0, UInt8(n % 250))), port: UInt16(20000 + n)) }
        for i in 0..<iterations {
            setLib.append(try time {
                try backend.set(interface, DeviceUpdate(peers: [PeerUpdate(publicKey: key, updateOnly: true, endpoint: endpoint(4 * i))]))
            })
            setCLI.append(try time {
                try runProcess([zmeshPath, "wg", "set", interface.rawValue, "peer", key.base64, "endpoint", endpoint(4 * i + 1).description])
            })
            setTheirs.append(try time {
                try runProcess([wgPath, "set", interface.rawValue, "peer", key.base64, "endpoint", endpoint(4 * i + 2).description])
            })
            desired.peers[target].endpoint = endpoint(4 * i + 3)
            var sent: DeviceUpdate?
            applyLib.append(try time { sent = try backend.apply(desired, to: interface) })
            try check(sent?.peers.count == 1, "apply sent \(sent?.peers.count ?? 0) peers, not 1")
        }
        let final = try backend.device(interface).peers[target].configuration.endpoint
        try check(final == desired.peers[target].endpoint, "endpoint not applied")
        lines.append(Self.line("one-peer endpoint (WireGuardNL set vs wg set)", median(setLib), median(setTheirs)))
        lines.append(Self.line("one-peer endpoint (zmesh wg set vs wg set)", median(setCLI), median(setTheirs)))
        lines.append(Self.line("one-peer endpoint (WireGuardNL apply: read+diff+set vs wg set)", median(applyLib), median(setTheirs)))
        return lines
    }

    static let header = padded("case", 62) + "  zmesh ms    wg ms  ratio"

    static func line(_ name: String, _ ours: Double, _ theirs: Double) -> String {
        padded(name, 62) + "  " + padded(fixed(ours * 1000), 8, left: true) + " " + padded(fixed(theirs * 1000), 8, left: true)
            + "  " + padded(fixed(ours / theirs), 5, left: true) + "x"
    }

    /// `value` with two decimals (no Foundation in the zmesh binary: it would bring ICU with it).
    static func fixed(_ value: Double) -> String {
        guard value.isFinite else { return "\(value)" }
        let hundredths = Int((abs(value) * 100).rounded())
        let fraction = hundredths % 100
        return (value < 0 ? "-" : "") + "\(hundredths / 100)." + (fraction < 10 ? "0" : "") + "\(fraction)"
    }

    static func padded(_ text: String, _ width: Int, left: Bool = false) -> String {
        let pad = String(repeating: " ", count: max(0, width - text.count))
        return left ? pad + text : text + pad
    }

    static func writeFile(_ text: String, to path: String) throws {
        do { try FileIO.writeFile(text, to: path, exclusive: true, mode: 0o600) } catch {
            throw BenchmarkError(description: "cannot \(error.operation) \(path): errno \(error.errno)")
        }
    }

    func median(_ values: [Double]) -> Double {
        let sorted = values.sorted()
        return sorted.isEmpty ? .nan : sorted[sorted.count / 2]
    }

    func time(_ body: () throws -> Void) throws -> Double {
        let start = ContinuousClock.now
        try body()
        let elapsed = ContinuousClock.now - start
        return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    }

    func check(_ condition: @autoclosure () throws -> Bool, _ message: @autoclosure () throws -> String) throws {
        if !(try condition()) { throw BenchmarkError(description: try message()) }
    }

    /// Runs a program to completion with its output collected, spawned from the calling thread so it
    /// runs in the benchmark's namespace.
    func runProcess(_ arguments: [String]) throws {
        let completion = try SpawnedProcess.run(arguments[0], Array(arguments.dropFirst()))
        guard completion.succeeded else {
            throw BenchmarkError(description: "\(arguments.joined(separator: " ")) \(completion.status): \(completion.outputText.prefix(500))")
        }
    }
}

struct BenchmarkError: Error, CustomStringConvertible {
    let description: String
}
