import Foundation
import SystemSupport
import Testing
import ZmeshModel
import ZmeshTestSupport

#if canImport(Glibc)
import Glibc
#endif

@Suite("Per-namespace sysctls", .requiresNetworkPrivileges)
struct SysctlTests {
    struct Case: Sendable, CustomTestStringConvertible {
        let setting: @Sendable (String) throws -> Sysctl
        let file: @Sendable (String) -> String
        let value: String
        let testDescription: String
    }

    static let cases: [Case] = [
        Case(setting: { _ in .ipv4Forwarding }, file: { _ in "net/ipv4/ip_forward" }, value: "1", testDescription: "ip_forward"),
        Case(
            setting: { _ in .ipv6Forwarding }, file: { _ in "net/ipv6/conf/all/forwarding" }, value: "1",
            testDescription: "ipv6 forwarding"),
        Case(
            setting: { try .ipv4Forwarding(interface: $0) }, file: { "net/ipv4/conf/\($0)/forwarding" }, value: "1",
            testDescription: "ipv4 forwarding on a link"),
        Case(
            setting: { try .acceptDAD(interface: $0) }, file: { "net/ipv6/conf/\($0)/accept_dad" }, value: "0",
            testDescription: "accept_dad"),
        Case(
            setting: { try .disableIPv6(interface: $0) }, file: { "net/ipv6/conf/\($0)/disable_ipv6" }, value: "1",
            testDescription: "disable_ipv6"),
        Case(
            setting: { try .reversePathFilter(interface: $0) }, file: { "net/ipv4/conf/\($0)/rp_filter" }, value: "2",
            testDescription: "rp_filter"),
    ]

    @Test(arguments: cases)
    func writesInsideTheNamespaceOnly(_ testCase: Case) throws {
        try NamespaceFixture.with { f in
            let namespace = try f.namespace("s")
            let link = try f.linkName("br")
            try ShellCommand.run(["ip", "-n", f.namespaceName("s"), "link", "add", link.rawValue, "type", "bridge"])
            let setting = try testCase.setting(link.rawValue)
            let path = "/proc/sys/" + testCase.file(link.rawValue)
            let hostBefore = try? ShellCommand.run(["cat", "/proc/sys/" + testCase.file("all")])

            try namespace.setSysctl(setting, to: testCase.value)

            // Oracle: the file as a process inside the namespace reads it.
            let seen = try ShellCommand.run(["ip", "netns", "exec", f.namespaceName("s"), "cat", path])
            #expect(seen.trimmingCharacters(in: .whitespacesAndNewlines) == testCase.value)
            #expect(try namespace.sysctl(setting) == testCase.value)
            // The test process's own namespace did not change.
            #expect((try? ShellCommand.run(["cat", "/proc/sys/" + testCase.file("all")])) == hostBefore)
        }
    }

    @Test func settingsWrittenTogetherAllApply() throws {
        try NamespaceFixture.with { f in
            let namespace = try f.namespace("s")
            try namespace.setSysctls([(.ipv4Forwarding, "1"), (.ipv6Forwarding, "1"), (try .acceptDAD(interface: "default"), "0")])
            #expect(try namespace.sysctl(.ipv4Forwarding) == "1")
            #expect(try namespace.sysctl(.ipv6Forwarding) == "1")
            #expect(try namespace.sysctl(try .acceptDAD(interface: "default")) == "0")
        }
    }

    @Test(arguments: ["", "a/b", "..", "has space", "sixteen-bytes-xx"])
    func interfaceComponentsThatAreNotInterfaceNamesAreRefused(_ interface: String) {
        #expect {
            _ = try Sysctl.acceptDAD(interface: interface)
        } throws: { error in
            (error as? SystemError)?.errno == EINVAL
        }
    }

    @Test func aMissingInterfaceIsENOENTAndAMissingNamespaceToo() throws {
        try NamespaceFixture.with { f in
            let namespace = try f.namespace("s")
            let error = #expect(throws: SystemError.self) { try namespace.setSysctl(try .rpFilter(), to: "1") }
            #expect(error?.errno == ENOENT)
            #expect(error?.description.contains("nope0") == true)
        }
        let missing = NetworkNamespace.named("zt-\(ScratchNamespace.randomSuffix())-none")
        let error = #expect(throws: SystemError.self) { try missing.setSysctl(.ipv4Forwarding, to: "1") }
        #expect(error.map { missing.isMissing($0) } == true)
    }
}

extension Sysctl {
    fileprivate static func rpFilter() throws -> Sysctl { try .reversePathFilter(interface: "nope0") }
}
