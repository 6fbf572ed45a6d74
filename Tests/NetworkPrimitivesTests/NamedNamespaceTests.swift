import Foundation
import SystemSupport
import Testing
import ZmeshTestSupport

#if canImport(Glibc)
import Glibc
#endif

@Suite("Named network namespaces, as iproute2 makes them", .requiresNetworkPrivileges)
struct NamedNamespaceTests {
    @Test func createdNamespaceIsSeenAndUsedByIproute2() throws {
        try NamespaceFixture.with { f in
            let namespace = try f.namespace("a")
            let name = f.namespaceName("a")
            #expect(namespace.name == name)
            #expect(try ShellCommand.run(["ip", "netns", "list"]).split(separator: "\n").contains { $0.hasPrefix(name) })
            #expect(NetworkNamespace.exists(named: name))
            #expect(try NetworkNamespace.namedNamespaces().contains(name))
            // `ip -n` works inside it: a fresh namespace has only loopback.
            let links = try IPRouteOracle.links(in: name)
            #expect(links.map(\.ifname) == ["lo"])
            try ShellCommand.run(["ip", "-n", name, "link", "add", "br-\(f.tag)", "type", "bridge"])
            #expect(try IPRouteOracle.links(in: name).map(\.ifname).contains("br-\(f.tag)"))
            #expect(try ShellCommand.run(["ip", "netns", "exec", name, "cat", "/proc/net/dev"]).contains("br-\(f.tag)"))
        }
    }

    @Test func namespaceIsNewAndNotTheCallersOrTheMainThreads() throws {
        try NamespaceFixture.with { f in
            let namespace = try f.namespace("a")
            let own = try inode("/proc/thread-self/ns/net")
            let named = try inode(namespace.path)
            #expect(named != own)
            #expect(named != (try inode("/proc/self/ns/net")))
            // A thread that entered it sees it as its own; the caller's thread is unchanged after.
            let inside = try namespace.run { () throws -> UInt64 in try inode("/proc/thread-self/ns/net") }
            #expect(inside == named)
            #expect(try inode("/proc/thread-self/ns/net") == own)
        }
    }

    @Test func directoryIsASharedMountAndTheNameABindMount() throws {
        try NamespaceFixture.with { f in
            let namespace = try f.namespace("a")
            let mounts = try String(contentsOfFile: "/proc/self/mountinfo", encoding: .utf8).split(separator: "\n")
            let directory = mounts.first { $0.split(separator: " ")[4] == "/run/netns" }
            #expect(directory?.contains("shared:") == true, "\(directory ?? "no /run/netns mount")")
            #expect(mounts.contains { $0.split(separator: " ")[4] == Substring(namespace.path) })
        }
    }

    @Test func deleteRemovesNameAndMount() throws {
        try NamespaceFixture.with { f in
            let name = f.namespaceName("gone")
            let namespace = try NetworkNamespace.create(named: name)
            try NetworkNamespace.delete(named: name)
            #expect(!NetworkNamespace.exists(named: name))
            #expect(!FileManager.default.fileExists(atPath: namespace.path))
            #expect(!(try ShellCommand.run(["ip", "netns", "list"]).contains(name)))
            let mounts = try String(contentsOfFile: "/proc/self/mountinfo", encoding: .utf8)
            #expect(!mounts.contains(namespace.path))
        }
    }

    @Test func iproute2NamespacesWorkWithOurs() throws {
        try NamespaceFixture.with { f in
            let name = f.namespaceName("ip")
            try ShellCommand.run(["ip", "netns", "add", name])
            f.addCleanup("delete \(name)") { if NetworkNamespace.exists(named: name) { try NetworkNamespace.delete(named: name) } }
            #expect(NetworkNamespace.exists(named: name))
            let inside = try NetworkNamespace.named(name).run { () throws -> UInt64 in try inode("/proc/thread-self/ns/net") }
            #expect(inside == (try inode(NetworkNamespace.named(name).path)))
            try NetworkNamespace.delete(named: name)
            #expect(!(try ShellCommand.run(["ip", "netns", "list"]).contains(name)))
        }
    }

    @Test func creatingAnExistingNameFailsWithEEXISTAndKeepsTheOriginal() throws {
        try NamespaceFixture.with { f in
            let namespace = try f.namespace("a")
            let before = try inode(namespace.path)
            let error = #expect(throws: SystemError.self) { try NetworkNamespace.create(named: f.namespaceName("a")) }
            #expect(error?.errno == EEXIST)
            #expect(error?.description.contains(f.namespaceName("a")) == true)
            #expect(try inode(namespace.path) == before)
            #expect(NetworkNamespace.exists(named: f.namespaceName("a")))
        }
    }

    @Test(arguments: ["", ".", "..", "zt-a/b", String(repeating: "n", count: 256)])
    func invalidNamesAreRefusedBeforeAnythingIsMade(name: String) throws {
        #expect {
            try NetworkNamespace.create(named: name)
        } throws: { error in
            (error as? SystemError)?.errno == EINVAL
        }
        #expect(!FileManager.default.fileExists(atPath: "/run/netns/zt-a"))
    }

    @Test func deletingAnUnknownNameFailsWithENOENT() throws {
        let name = "zt-\(ScratchNamespace.randomSuffix())-none"
        #expect {
            try NetworkNamespace.delete(named: name)
        } throws: { error in
            (error as? SystemError)?.errno == ENOENT
        }
    }

    @Test func runningInAnUnknownNamespaceFailsWithENOENT() throws {
        let namespace = NetworkNamespace.named("zt-\(ScratchNamespace.randomSuffix())-none")
        #expect {
            try namespace.run { () -> Int in 1 }
        } throws: { error in
            guard let error = error as? SystemError else { return false }
            return namespace.isMissing(error)
        }
    }

}

/// The inode number of a namespace file (the namespace's identity).
func inode(_ path: String) throws -> UInt64 {
    var info = stat()
    guard stat(path, &info) == 0 else { throw SystemError("stat", path, errno: errno) }
    return UInt64(info.st_ino)
}
