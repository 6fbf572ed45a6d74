import Foundation
import SystemSupport

#if canImport(Glibc)
import Glibc
#endif

/// Whether this machine can build a simulated grid, and why not; where the tools are.
public enum GridEnvironment {
    /// Tools the grid runs, by name (looked up on PATH, then the sbin/bin directories).
    static let tools = ["ip", "nsenter", "unshare", "wireguard-go", "wg", "python3", "sh", "mount", "curl", "ping", "nft"]

    /// `nil` when the grid can be built; otherwise the first missing piece, for the skip message.
    public static let unavailableReason: String? = {
        let reason = findProblem()
        if let reason { FileHandle.standardError.write(Data("node grid tests skipped: \(reason)\n".utf8)) }
        return reason
    }()

    public static var isAvailable: Bool { unavailableReason == nil }

    /// The `zmesh` executable built next to the test runner (as ZmeshCommandsTests find it).
    public static let zmeshBinary: String? = {
        guard let exe = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") else { return nil }
        var directory = URL(fileURLWithPath: exe).deletingLastPathComponent()
        // The test runner may live inside a `.xctest` bundle directory.
        if directory.lastPathComponent.hasSuffix(".xctest") { directory.deleteLastPathComponent() }
        let candidate = directory.appendingPathComponent("zmesh").path
        return FileManager.default.isExecutableFile(atPath: candidate) ? candidate : nil
    }()

    /// The absolute path of `name` (it must exist: checked by ``unavailableReason``).
    public static func path(_ name: String) -> String {
        if name == "python3", access("/usr/bin/python3", X_OK) == 0 { return "/usr/bin/python3" }
        return SpawnedProcess.locate(name) ?? name
    }

    private static func findProblem() -> String? {
        guard geteuid() == 0 else { return "not running as root (a grid makes namespaces, mounts and links)" }
        for tool in tools where SpawnedProcess.locate(tool) == nil {
            return "`\(tool)` is not installed (wireguard-go and wg: apt-get install --no-install-recommends wireguard-go wireguard-tools)"
        }
        guard access("/dev/net/tun", R_OK | W_OK) == 0 else { return "/dev/net/tun is missing (wireguard-go needs TUN)" }
        guard zmeshBinary != nil else { return "the zmesh executable is not built next to the tests (swift build)" }
        let probe = "zt-probe-\(UInt32.random(in: 0...UInt32.max))"
        let command = GridCommand(directory: NSTemporaryDirectory())
        guard let made = try? command.run([path("ip"), "netns", "add", probe]), made.succeeded else {
            return "cannot create a network namespace"
        }
        defer { _ = try? command.run([path("ip"), "netns", "delete", probe]) }
        let unshare = try? command.run([
            path("ip"), "netns", "exec", probe, path("unshare"), "--mount", "--propagation", "private", "--pid", "--fork",
            "--mount-proc", path("sh"), "-c", "mount -t tmpfs zt-probe /run && test -d /proc/1",
        ])
        guard let unshare, unshare.succeeded else {
            return "cannot make a private mount and PID namespace (unshare): \(unshare?.description ?? "failed")"
        }
        return nil
    }
}
