import Foundation
import GridSupport
import SystemSupport

#if canImport(Glibc)
import Glibc
#endif

/// Removes a simulated grid by its tag, from what the machine shows — with no `Grid` object: after
/// `zmesh demo --keep`, or after the demo's worker was killed half-way. Everything a grid makes carries
/// its tag: namespaces `zt-<tag>-*` (LAN, nodes, NAT routers), the directory `zt-<tag>-grid-*`, and
/// processes that live in those namespaces (the registry, node holders and everything in their PID
/// namespaces: agents, wireguard-go, pingers) or name them on their command line (launchers).
struct GridRemoval {
    let tag: String

    /// Tags are five hex digits (`NamespaceFixture`); anything else could match strangers' names.
    static func isValidTag(_ tag: String) -> Bool {
        tag.count == 5 && tag.allSatisfy { $0.isHexDigit && !$0.isUppercase }
    }

    var prefix: String { "zt-\(tag)-" }

    /// The grid's namespaces in `/run/netns`.
    func namespaces() -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: "/run/netns")) ?? []
        return names.filter { $0.hasPrefix(prefix) }.sorted()
    }

    /// The grid's directories: `zt-<tag>-grid-*` in the temporary directories the demo uses.
    func directories() -> [String] {
        var bases = Set(["/tmp", NSTemporaryDirectory()].map { $0.hasSuffix("/") && $0.count > 1 ? String($0.dropLast()) : $0 })
        for entry in (try? FileManager.default.contentsOfDirectory(atPath: "/tmp")) ?? [] where entry.hasPrefix("zmesh-demo-") {
            bases.insert("/tmp/\(entry)")
        }
        return bases.flatMap { base in
            ((try? FileManager.default.contentsOfDirectory(atPath: base)) ?? []).filter { $0.hasPrefix("\(prefix)grid") }
                .map { "\(base)/\($0)" }
        }.sorted()
    }

    /// Whether anything of the grid is left.
    var exists: Bool { !namespaces().isEmpty || !directories().isEmpty || !processes().isEmpty }

    /// Kills every process of the grid, deletes its namespaces and directories; what could not be removed.
    @discardableResult
    func remove(say: (String) -> Void = { _ in }) -> [String] {
        var problems: [String] = []
        // Pin the namespaces to match (a freed namespace's inode number is reused by the next one).
        let pins = namespaces().compactMap { name -> Int32? in
            let fd = open("/run/netns/\(name)", O_RDONLY | O_CLOEXEC)
            return fd >= 0 ? fd : nil
        }
        defer { for fd in pins { close(fd) } }
        let killed = Poll.until(timeout: .seconds(20), interval: .milliseconds(50)) {
            let left = processes()
            for entry in left { kill(entry.pid, SIGKILL) }
            return left.isEmpty
        }
        if killed == nil {
            problems.append("processes still running: \(processes().map(\.description).joined(separator: ", "))")
        }
        let ip = GridEnvironment.path("ip")
        let command = GridCommand(directory: NSTemporaryDirectory())
        for name in namespaces() {
            let result = try? command.run([ip, "netns", "delete", name])
            if result?.succeeded != true { problems.append("delete namespace \(name): \(result?.description ?? "failed")") }
        }
        for directory in directories() {
            do { try FileManager.default.removeItem(atPath: directory) } catch {
                problems.append("remove \(directory): \(error)")
            }
            // The demo's own temporary directory, when that grid was all it held.
            let parent = URL(fileURLWithPath: directory).deletingLastPathComponent().path
            if URL(fileURLWithPath: parent).lastPathComponent.hasPrefix("zmesh-demo-") {
                try? FileManager.default.removeItem(atPath: "\(parent)/kept")
                rmdir(parent)
            }
        }
        let namespacesLeft = namespaces()
        if !namespacesLeft.isEmpty { problems.append("namespaces left: \(namespacesLeft.joined(separator: " "))") }
        return problems
    }

    /// The grid's processes: in one of its network namespaces, in the PID or mount namespace of a
    /// process in one (a node's holder), or naming the tag's namespaces or directory on their command line.
    func processes() -> [ProcessTable.Entry] {
        let me = getpid()
        let networkIDs = Set(namespaces().compactMap { name -> String? in
            var info = stat()
            guard stat("/run/netns/\(name)", &info) == 0 else { return nil }
            return "net:[\(info.st_ino)]"
        })
        let all = ((try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []).compactMap { pid_t($0) }
            .filter { $0 != me && $0 != 1 }
        let host = (pid: ProcessTable.namespace("pid", of: me), mnt: ProcessTable.namespace("mnt", of: me))
        var inGrid = Set<pid_t>()
        var nodeNamespaces = Set<String>()
        for pid in all {
            guard let net = ProcessTable.namespace("net", of: pid), networkIDs.contains(net) else { continue }
            inGrid.insert(pid)
            // A node's holder and what runs in it have their own PID and mount namespaces.
            if let ns = ProcessTable.namespace("pid", of: pid), ns != host.pid { nodeNamespaces.insert(ns) }
            if let ns = ProcessTable.namespace("mnt", of: pid), ns != host.mnt { nodeNamespaces.insert(ns) }
        }
        for pid in all where !inGrid.contains(pid) {
            if let ns = ProcessTable.namespace("pid", of: pid), nodeNamespaces.contains(ns) { inGrid.insert(pid) }
            else if let ns = ProcessTable.namespace("mnt", of: pid), nodeNamespaces.contains(ns) { inGrid.insert(pid) }
            else if GridCommand.readText("/proc/\(pid)/cmdline").contains(prefix) { inGrid.insert(pid) }
        }
        return inGrid.sorted().compactMap(ProcessTable.entry)
    }
}
