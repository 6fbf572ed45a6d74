import Foundation
import SystemSupport

#if canImport(Glibc)
import Glibc
#endif

/// Whether this machine can run the privileged network-primitive tests (root, a network namespace
/// can be made, iproute2, nft and python3 present), and why not.
public enum NetworkTestEnvironment {
    /// `nil` when everything is there; otherwise what is missing, for the skip message.
    public static let unavailableReason: String? = {
        let reason = findProblem()
        if let reason {
            FileHandle.standardError.write(Data("network primitive tests skipped: \(reason)\n".utf8))
        }
        return reason
    }()

    public static var isAvailable: Bool { unavailableReason == nil }

    /// The python3 used for traffic probes (`/usr/bin/python3`, Debian's).
    public static var python: String { ShellCommand.locate("/usr/bin/python3") ?? ShellCommand.locate("python3") ?? "python3" }

    private static func findProblem() -> String? {
        guard geteuid() == 0 else { return "not running as root (they create namespaces, links and nftables tables)" }
        for tool in ["ip", "nft"] where ShellCommand.locate(tool) == nil {
            return "`\(tool)` is not installed (scripts/install-deps.sh)"
        }
        guard ShellCommand.locate("/usr/bin/python3") != nil || ShellCommand.locate("python3") != nil else {
            return "python3 is not installed (traffic probes use it)"
        }
        let probe = "zt-probe-\(ScratchNamespace.randomSuffix())"
        do {
            try NetworkNamespace.create(named: probe)
            try NetworkNamespace.delete(named: probe)
        } catch {
            return "cannot create a network namespace: \(error)"
        }
        return nil
    }
}
