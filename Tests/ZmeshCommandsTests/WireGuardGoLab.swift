import Foundation

/// A finished external command.
struct CommandResult: Sendable {
    var status: Int32
    var standardOutput: String
    var standardError: String
}

/// Runs `argv` to completion, output collected through files (no pipe can fill up and stall it).
func runCommand(_ argv: [String], in directory: String) throws -> CommandResult {
    let id = UUID().uuidString
    let outPath = "\(directory)/\(id).out", errPath = "\(directory)/\(id).err"
    _ = FileManager.default.createFile(atPath: outPath, contents: nil)
    _ = FileManager.default.createFile(atPath: errPath, contents: nil)
    defer {
        try? FileManager.default.removeItem(atPath: outPath)
        try? FileManager.default.removeItem(atPath: errPath)
    }
    let process = Process()
    process.executableURL = URL(fileURLWithPath: argv[0])
    process.arguments = Array(argv.dropFirst())
    let out = try FileHandle(forWritingTo: URL(fileURLWithPath: outPath))
    let err = try FileHandle(forWritingTo: URL(fileURLWithPath: errPath))
    defer {
        try? out.close()
        try? err.close()
    }
    process.standardOutput = out
    process.standardError = err
    process.standardInput = FileHandle.nullDevice
    try process.run()
    process.waitUntilExit()
    return CommandResult(
        status: process.terminationStatus,
        standardOutput: (try? String(contentsOfFile: outPath, encoding: .utf8)) ?? "",
        standardError: (try? String(contentsOfFile: errPath, encoding: .utf8)) ?? "")
}

/// wireguard-go devices in a network namespace of their own *and* a private mount namespace with a
/// tmpfs on /run/wireguard, so `wg show all` sees exactly these devices and nothing of the host's.
///
/// A holder process (`ip netns exec NS unshare --mount … sh`, which ends up as `sleep`) owns both
/// namespaces; commands run inside them through `nsenter -t HOLDER -m -n`; this process reaches the
/// UAPI sockets through `/proc/HOLDER/root/run/wireguard`. ``close()`` kills every process by PID and
/// deletes the namespace; call it on every path.
final class WireGuardGoLab {
    static let ip = "/usr/sbin/ip", wg = "/usr/bin/wg", wireguardGo = "/usr/bin/wireguard-go"
    static let nsenter = "/usr/bin/nsenter", unshare = "/usr/bin/unshare"

    /// Whether this machine can run the lab: root, and the tools present.
    static var isAvailable: Bool {
        getuid() == 0 && [ip, wg, wireguardGo, nsenter, unshare].allSatisfy { FileManager.default.isExecutableFile(atPath: $0) }
    }

    let namespace: String
    let directory: String
    let interfaces: [String]
    private var holder: Process?
    private var namespaceCreated = false

    /// Names: `zmt` + 6 random hex digits (+ a letter per interface), unique on the machine.
    init(interfaceCount: Int) throws {
        let tag = "zmt" + String(UInt32.random(in: 0...0xff_ffff), radix: 16).leftPadded(to: 6)
        namespace = tag
        interfaces = (0..<interfaceCount).map { tag + String(UnicodeScalar(UInt8(ascii: "a") + UInt8($0))) }
        directory = NSTemporaryDirectory() + "/\(tag)-\(getpid())"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        do { try start() } catch {
            close()
            throw error
        }
    }

    private func start() throws {
        let add = try runCommand([Self.ip, "netns", "add", namespace], in: directory)
        guard add.status == 0 else { throw LabError("ip netns add \(namespace): \(add.standardError)") }
        namespaceCreated = true
        let script = """
            mkdir -p /run/wireguard && mount -t tmpfs -o mode=0755 zmt-wireguard /run/wireguard || exit 1
            for name in "$@"; do
              \(Self.wireguardGo) -f "$name" > "\(directory)/$name.log" 2>&1 &
              echo $! >> "\(directory)/pids"
            done
            exec sleep 600
            """
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Self.ip)
        process.arguments =
            ["netns", "exec", namespace, Self.unshare, "--mount", "--propagation", "private", "/bin/sh", "-c", script, "sh"]
            + interfaces
        process.standardInput = FileHandle.nullDevice
        try process.run()
        holder = process
        // Wait for every UAPI socket.
        for _ in 0..<100 {
            if interfaces.allSatisfy({ FileManager.default.fileExists(atPath: "\(socketDirectory)/\($0).sock") }) { return }
            guard process.isRunning else { throw LabError("namespace holder exited with \(process.terminationStatus)") }
            usleep(50_000)
        }
        throw LabError("wireguard-go did not create its sockets in \(socketDirectory)")
    }

    /// The holder's PID: the namespaces are those of this process.
    var holderPID: Int32 { holder?.processIdentifier ?? 0 }

    /// The lab's /run/wireguard, as seen from this process.
    var socketDirectory: String { "/proc/\(holderPID)/root/run/wireguard" }

    /// Runs `argv` inside the lab's network and mount namespaces.
    func run(_ argv: [String]) throws -> CommandResult {
        try runCommand([Self.nsenter, "--target", String(holderPID), "--mount", "--net", "--"] + argv, in: directory)
    }

    /// Runs `argv` in the lab and returns its standard output, failing on a non-zero status.
    func output(_ argv: [String]) throws -> String {
        let result = try run(argv)
        guard result.status == 0 else {
            throw LabError("\(argv.joined(separator: " ")) exited \(result.status): \(result.standardError)")
        }
        return result.standardOutput
    }

    /// Writes `text` to a file of the lab (readable from inside it) and returns the path.
    func file(_ name: String, _ text: String) throws -> String {
        let path = "\(directory)/\(name)"
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// Kills the lab's processes by PID and deletes its namespace and files.
    func close() {
        if let pids = try? String(contentsOfFile: "\(directory)/pids", encoding: .utf8) {
            for pid in pids.split(separator: "\n").compactMap({ Int32($0) }) where pid > 1 { kill(pid, SIGTERM) }
        }
        if let holder, holder.isRunning {
            kill(holder.processIdentifier, SIGTERM)
            holder.waitUntilExit()
        }
        holder = nil
        if namespaceCreated {
            _ = try? runCommand([Self.ip, "netns", "del", namespace], in: directory)
            namespaceCreated = false
        }
        try? FileManager.default.removeItem(atPath: directory)
    }

    deinit { close() }
}

struct LabError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

extension String {
    func leftPadded(to width: Int) -> String { String(repeating: "0", count: max(0, width - count)) + self }
}
