import Foundation
import SystemSupport

#if canImport(Glibc)
import Glibc
#endif

/// The host's view of processes (`/proc`): namespaces by inode, children, names.
public enum ProcessTable {
    /// A process as the host sees it.
    public struct Entry: Sendable, CustomStringConvertible {
        public let pid: pid_t
        public let name: String
        public let commandLine: String
        public var description: String { "\(pid) \(commandLine.isEmpty ? name : commandLine)" }
    }

    /// `/proc/PID/ns/KIND` as text (`pid:[4026532319]`), `nil` when the process is gone.
    public static func namespace(_ kind: String, of pid: pid_t) -> String? {
        try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(pid)/ns/\(kind)")
    }

    /// Every process whose namespace of `kind` is `namespace`.
    public static func processes(in namespace: String, kind: String) -> [Entry] {
        allPIDs().filter { self.namespace(kind, of: $0) == namespace }.compactMap(entry)
    }

    /// The direct children of `pid` (all its threads').
    public static func children(of pid: pid_t) -> [pid_t] {
        let tasks = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/task")) ?? []
        return tasks.flatMap { task in
            GridCommand.readText("/proc/\(pid)/task/\(task)/children").split(separator: " ").compactMap { pid_t($0) }
        }
    }

    /// `comm` and the command line of `pid`, `nil` when it is gone.
    public static func entry(_ pid: pid_t) -> Entry? {
        let name = GridCommand.readText("/proc/\(pid)/comm").trimmingCharacters(in: .whitespacesAndNewlines)
        guard !name.isEmpty else { return nil }
        let commandLine = GridCommand.readText("/proc/\(pid)/cmdline").split(separator: "\0").joined(separator: " ")
        return Entry(pid: pid, name: name, commandLine: commandLine)
    }

    static func allPIDs() -> [pid_t] {
        ((try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []).compactMap { pid_t($0) }
    }
}
