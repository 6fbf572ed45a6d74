import ArgumentParser
import Foundation
import GridSupport
import SystemSupport
import WireGuardNL

#if canImport(Glibc)
import Glibc
#endif

/// `zmesh demo`: the main job on one machine — a simulated grid of five nodes (three public, two hidden
/// behind NAT routers) running real `zmesh node` agents and a real registry, one network deployed over
/// them, every pair of workloads pinged; a report, then everything removed (unless `--keep`).
struct DemoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Build a simulated grid (registry, 3 public and 2 hidden nodes running zmesh node), deploy a network, show it working.",
        discussion: """
            Needs root. Everything lives in network namespaces named zt-<tag>-* and is removed at the end, \
            on Ctrl-C too. Exits non-zero when something is missing or any pair of workloads does not ping.
            """)

    @Option(help: "The agents' WireGuard: userspace (wireguard-go) or kernel (the kernel's module).")
    var backend: DemoBackend = .userspace

    @Flag(help: "Leave the grid running and print how to enter it and how to remove it.")
    var keep = false

    @Option(help: ArgumentHelp("Remove a grid left by --keep (its tag, printed by the demo).", valueName: "tag"))
    var remove: String?

    @Flag(help: .hidden) var worker = false
    @Option(help: .hidden) var keptMarker: String?

    enum DemoBackend: String, ExpressibleByArgument, CaseIterable {
        case userspace, kernel
    }

    func run() throws {
        if let tag = remove { return try Self.remove(tag: tag) }
        if worker {
            let demo = GridDemo(
                binary: try Self.ownExecutable(), backend: backend.rawValue, keep: keep, keptMarker: keptMarker,
                say: { CommandOutput.write($0 + "\n") })
            if try !demo.run() { throw ExitCode(1) }
            return
        }
        var arguments = ["--backend", backend.rawValue]
        if keep { arguments.append("--keep") }
        let supervisor = DemoSupervisor(arguments: arguments, say: { CommandOutput.write($0 + "\n") })
        if geteuid() == 0 { try supervisor.installSignalHandlers() }
        let missing = supervisor.cleanup.whileChecking { Self.missing(backend: backend) }
        guard missing.isEmpty else {
            CommandOutput.error(Self.missingText(missing))
            throw ExitCode(2)
        }
        CommandOutput.write(
            "zmesh demo: a registry, 3 public and 2 hidden nodes (each behind its own NAT router) running "
                + "`zmesh node` with \(backend.rawValue) WireGuard, in network namespaces on this machine\n")
        let status = try supervisor.run()
        if status != 0 { throw ExitCode(status) }
    }

    static func ownExecutable() throws -> String {
        do { return try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") } catch {
            throw CommandError("cannot read /proc/self/exe: \(error)")
        }
    }

    /// What this machine lacks for the demo with `backend`.
    static func missing(backend: DemoBackend) -> [GridEnvironment.Missing] {
        var missing = GridEnvironment.missing(backend: backend.rawValue)
        if backend == .kernel, geteuid() == 0, !KernelBackend.isAvailable() {
            missing.append(
                GridEnvironment.Missing(
                    what: "WireGuard in this kernel", package: nil,
                    remedy: "modprobe wireguard, or use --backend userspace (wireguard-go)"))
        }
        return missing
    }

    /// The message for what is missing: each item, then one command installing every package named.
    static func missingText(_ missing: [GridEnvironment.Missing]) -> String {
        var text = "zmesh demo cannot run here:\n"
        for item in missing { text += "  - \(item.what): \(item.remedy)\n" }
        let packages = missing.compactMap(\.package).reduce(into: [String]()) { if !$0.contains($1) { $0.append($1) } }
        if !packages.isEmpty {
            text += "install them with:  apt-get install --no-install-recommends \(packages.joined(separator: " "))\n"
            text += "(or run scripts/demo.sh, which installs what is missing)\n"
        }
        return text
    }

    /// `--remove TAG`.
    static func remove(tag: String) throws {
        guard GridRemoval.isValidTag(tag) else {
            throw ValidationError("'\(tag)' is not a grid tag (five lowercase hex digits, as the demo printed)")
        }
        guard geteuid() == 0 else { throw CommandError("zmesh demo --remove needs root (it deletes namespaces)") }
        let removal = GridRemoval(tag: tag)
        guard removal.exists else {
            CommandOutput.write("grid \(tag): nothing left to remove\n")
            return
        }
        let problems = removal.remove()
        guard problems.isEmpty else {
            throw CommandError("grid \(tag): could not remove everything: \(problems.joined(separator: "; "))")
        }
        CommandOutput.write("grid \(tag) removed: its processes, namespaces zt-\(tag)-* and files\n")
    }
}
