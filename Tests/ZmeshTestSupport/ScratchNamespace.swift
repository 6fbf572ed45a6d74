import Foundation
import SystemSupport
import WireGuardNL

#if canImport(Glibc)
import Glibc
#endif

/// A named network namespace made for one test with `ip netns add`, its loopback up, deleted by
/// ``delete()`` or at the latest when the object goes away. Stop every process that lives in it (and
/// every wireguard-go whose TUN is in it) first: a TUN device left in a dying namespace is pushed
/// back to the initial namespace by the kernel.
public final class ScratchNamespace {
    public let name: String
    private var deleted = false

    /// Creates `name`.
    public init(_ name: String) throws {
        self.name = name
        try ShellCommand.run(["ip", "netns", "add", name])
        do { try ShellCommand.run(["ip", "-n", name, "link", "set", "lo", "up"]) } catch {
            delete()
            throw error
        }
    }

    /// The namespace as ``SystemSupport/NetworkNamespace`` names it (`/run/netns/NAME`).
    public var namespace: NetworkNamespace { .named(name) }

    /// Runs a command inside the namespace (`ip netns exec NAME …`) and returns its standard output.
    @discardableResult
    public func run(_ arguments: [String]) throws -> String {
        try ShellCommand.run(["ip", "netns", "exec", name] + arguments)
    }

    /// `ip -n NAME …`.
    @discardableResult
    public func ip(_ arguments: String...) throws -> String {
        try ShellCommand.run(["ip", "-n", name] + arguments)
    }

    public func delete() {
        if deleted { return }
        deleted = true
        _ = ShellCommand.succeeds(["ip", "netns", "delete", name])
    }

    deinit { delete() }

    /// Six random hex digits, to keep names unique on the machine: namespace names and UAPI socket
    /// paths are machine-wide, whichever namespace a test runs in.
    public static func randomSuffix() -> String {
        String(UInt32.random(in: 0..<0x100_0000), radix: 16).leftPadded(to: 6)
    }
}

/// Whether this machine can run the wireguard-go namespace tests, and why not.
public enum WireGuardGoEnvironment {
    /// `nil` when everything needed is there; otherwise what is missing.
    public static let unavailableReason: String? = {
        let reason = findProblem()
        if let reason {
            FileHandle.standardError.write(Data("wireguard-go namespace tests skipped: \(reason)\n".utf8))
        }
        return reason
    }()

    public static var isAvailable: Bool { unavailableReason == nil }

    private static func findProblem() -> String? {
        guard geteuid() == 0 else { return "not running as root" }
        guard ShellCommand.locate("ip") != nil else { return "iproute2's `ip` is not installed" }
        guard ShellCommand.locate("ss") != nil, ShellCommand.locate("ping") != nil else { return "`ss` or `ping` is not installed" }
        guard WireGuardGoOptions().resolvedExecutable() != nil else {
            return "wireguard-go is not installed (apt-get install --no-install-recommends wireguard-go)"
        }
        guard access("/dev/net/tun", R_OK | W_OK) == 0 else { return "/dev/net/tun is not available" }
        let probe = "zm-probe-\(ScratchNamespace.randomSuffix())"
        guard ShellCommand.succeeds(["ip", "netns", "add", probe]) else { return "cannot create network namespaces" }
        _ = ShellCommand.succeeds(["ip", "netns", "delete", probe])
        return nil
    }
}

extension String {
    fileprivate func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}
