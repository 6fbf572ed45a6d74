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
        /// Clock ticks after boot at which it started (`/proc/PID/stat` field 22): with the PID, names
        /// one process even if the PID is reused later.
        public let startTime: UInt64
        public var description: String { "\(pid) \(commandLine.isEmpty ? name : commandLine)" }
    }

    /// Whether the process `entry` names still exists (same PID, same start time).
    public static func isAlive(_ entry: Entry) -> Bool {
        self.entry(entry.pid)?.startTime == entry.startTime
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
        // Field 22, counted after the command name (which may hold spaces) closes with ")".
        let stat = GridCommand.readText("/proc/\(pid)/stat")
        let fields = stat.range(of: ")", options: .backwards).map { stat[$0.upperBound...].split(separator: " ") } ?? []
        let startTime = fields.count > 19 ? UInt64(fields[19]) ?? 0 : 0
        return Entry(pid: pid, name: name, commandLine: commandLine, startTime: startTime)
    }

    static func allPIDs() -> [pid_t] {
        ((try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []).compactMap { pid_t($0) }
    }
}
