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

    @discardableResult
    static func run(_ arguments: [String], input: String? = nil, allowFailure: Bool = false) throws -> Result {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try locate(arguments[0]))
        process.arguments = Array(arguments.dropFirst())
        let out = Pipe()
        let err = Pipe()
        let inPipe = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = inPipe
        try process.run()
        if let input { inPipe.fileHandleForWriting.write(Data(input.utf8)) }
        try inPipe.fileHandleForWriting.close()
        // Read both pipes before waiting, so a large output cannot block the child.
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        let errData = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let result = Result(
            status: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
            stderr: String(decoding: errData, as: UTF8.self))
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
