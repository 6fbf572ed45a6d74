import Foundation
import SystemSupport
import WireGuardNL
import ZmeshModel

/// One named check; throws ``CheckFailure`` (or any error) to fail.
struct Check: Sendable {
    let name: String
    let body: @Sendable () throws -> Void
}

struct CheckFailure: Error, CustomStringConvertible {
    let description: String
}

func expect(_ condition: Bool, _ message: @autoclosure () -> String) throws {
    if !condition { throw CheckFailure(description: message()) }
}

func name(_ text: String) -> InterfaceName {
    guard let name = try? InterfaceName(text) else { fatalError("bad interface name \(text)") }
    return name
}

/// Runs programs of the guest (iproute2's `ip`, wireguard-tools' `wg`, busybox, zmesh) and tracks
/// the namespaces and links the checks make so each check starts from a clean guest.
enum Shell {
    nonisolated(unsafe) static var namespaces: [String] = []
    nonisolated(unsafe) static var links: [String] = []

    struct Result {
        let status: Int32
        let stdout: String
        let stderr: String
    }

    /// Runs a program to completion. Its stdout and stderr go to scratch files rather than pipes, so a
    /// chatty child can never block on a full pipe while we wait for the other stream.
    @discardableResult
    static func run(_ arguments: [String], allowFailure: Bool = false) throws -> Result {
        let scratch = NSTemporaryDirectory() + "zmesh-check-\(UUID().uuidString)"
        let outPath = scratch + ".out"
        let errPath = scratch + ".err"
        FileManager.default.createFile(atPath: outPath, contents: nil)
        FileManager.default.createFile(atPath: errPath, contents: nil)
        defer {
            try? FileManager.default.removeItem(atPath: outPath)
            try? FileManager.default.removeItem(atPath: errPath)
        }
        guard let out = FileHandle(forWritingAtPath: outPath), let err = FileHandle(forWritingAtPath: errPath) else {
            throw CheckFailure(description: "cannot create scratch files in \(NSTemporaryDirectory())")
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try locate(arguments[0]))
        process.arguments = Array(arguments.dropFirst())
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        try out.close()
        try err.close()
        let result = Result(
            status: process.terminationStatus,
            stdout: (try? String(contentsOfFile: outPath, encoding: .utf8)) ?? "",
            stderr: (try? String(contentsOfFile: errPath, encoding: .utf8)) ?? "")
        if !allowFailure && result.status != 0 {
            throw CheckFailure(description: "\(arguments.joined(separator: " ")) exited \(result.status): \(result.stderr)")
        }
        return result
    }

    static func locate(_ program: String) throws -> String {
        if program.hasPrefix("/") { return program }
        for dir in ["/bin", "/sbin", "/usr/bin", "/usr/sbin", "/usr/local/bin"] {
            let path = "\(dir)/\(program)"
            if FileManager.default.isExecutableFile(atPath: path) { return path }
        }
        throw CheckFailure(description: "\(program) not found in the guest")
    }

    static func addNamespace(_ name: String) throws {
        try run(["ip", "netns", "add", name])
        namespaces.append(name)
        try run(["ip", "-n", name, "link", "set", "lo", "up"])
    }

    static func cleanUp() {
        for link in links { _ = try? run(["ip", "link", "del", link], allowFailure: true) }
        for ns in namespaces { _ = try? run(["ip", "netns", "del", ns], allowFailure: true) }
        links = []
        namespaces = []
    }
}

/// A kernel backend whose sockets live in namespace `ns` (nil: the guest's initial namespace).
func kernelBackend(in ns: String? = nil) throws -> KernelBackend {
    guard let ns else { return try KernelBackend() }
    return try NetworkNamespace.named(ns).run { () throws -> KernelBackendBox in KernelBackendBox(try KernelBackend()) }.backend
}

/// Carries a backend out of the namespace thread that opened its sockets (they stay bound to that namespace).
final class KernelBackendBox: @unchecked Sendable {
    let backend: KernelBackend
    init(_ backend: KernelBackend) { self.backend = backend }
}

/// Creates a WireGuard link through WireGuardNL and remembers it for clean-up.
func createLink(_ text: String, backend: KernelBackend) throws -> InterfaceName {
    let link = name(text)
    try backend.createInterface(link)
    Shell.links.append(text)
    return link
}
