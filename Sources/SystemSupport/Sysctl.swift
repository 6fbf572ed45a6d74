#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// A per-network-namespace kernel setting under `/proc/sys`.
///
/// The namespace a `/proc/sys/net/…` file acts on is fixed when the file is **opened**, by the
/// opening thread's namespace. ``read()`` and ``write(_:)`` open a fresh descriptor on the calling
/// thread each time; to act on another namespace use ``NetworkNamespace/setSysctl(_:to:)`` and
/// friends, which do it from a thread inside that namespace. Writing needs root
/// (`CAP_NET_ADMIN` over the namespace's user namespace).
public struct Sysctl: Sendable, Hashable, CustomStringConvertible {
    /// The path below `/proc/sys`, with `/` separators (`net/ipv4/ip_forward`).
    public let path: String

    /// A setting by its path below `/proc/sys` (`net/ipv6/conf/all/forwarding`). Components must not
    /// be empty, `.` or `..`.
    public init(path: String) throws(SystemError) {
        let parts = path.split(separator: "/", omittingEmptySubsequences: false)
        guard !parts.isEmpty, parts.allSatisfy({ !$0.isEmpty && $0 != "." && $0 != ".." }) else {
            throw SystemError("name sysctl", "'\(path)'", errno: EINVAL)
        }
        self.path = path
    }

    /// The same setting named the `sysctl(8)` way: `net.ipv4.ip_forward`.
    public var description: String { path.replacingSlashesWithDots() }

    /// `net.ipv4.ip_forward`: route IPv4 between interfaces (the same knob as `conf/all/forwarding`).
    public static let ipv4Forwarding = Sysctl(unchecked: "net/ipv4/ip_forward")
    /// `net.ipv6.conf.all.forwarding`: route IPv6 between interfaces (and stop accepting RAs).
    public static let ipv6Forwarding = Sysctl(unchecked: "net/ipv6/conf/all/forwarding")

    /// `net.ipv4.conf.<interface>.forwarding` (`interface` may be `all` or `default`).
    public static func ipv4Forwarding(interface: String) throws(SystemError) -> Sysctl {
        try Sysctl(path: "net/ipv4/conf/\(checked(interface))/forwarding")
    }

    /// `net.ipv6.conf.<interface>.forwarding`.
    public static func ipv6Forwarding(interface: String) throws(SystemError) -> Sysctl {
        try Sysctl(path: "net/ipv6/conf/\(checked(interface))/forwarding")
    }

    /// `net.ipv6.conf.<interface>.accept_dad`: 0 turns duplicate address detection off.
    public static func acceptDAD(interface: String) throws(SystemError) -> Sysctl {
        try Sysctl(path: "net/ipv6/conf/\(checked(interface))/accept_dad")
    }

    /// `net.ipv6.conf.<interface>.disable_ipv6`: 1 removes every IPv6 address of the interface.
    public static func disableIPv6(interface: String) throws(SystemError) -> Sysctl {
        try Sysctl(path: "net/ipv6/conf/\(checked(interface))/disable_ipv6")
    }

    /// `net.ipv4.conf.<interface>.rp_filter`: 0 off, 1 strict, 2 loose reverse-path filtering.
    public static func reversePathFilter(interface: String) throws(SystemError) -> Sysctl {
        try Sysctl(path: "net/ipv4/conf/\(checked(interface))/rp_filter")
    }

    /// The current value, trailing newline removed, read through a descriptor opened now on the
    /// calling thread (so in the calling thread's namespace).
    public func read() throws(SystemError) -> String {
        let file = "/proc/sys/\(path)"
        let fd = try systemCall("read sysctl", description) { open(file, O_RDONLY | O_CLOEXEC) }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 256)
        while true {
            let count = try systemCall("read sysctl", description) {
                chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            }
            if count == 0 { break }
            bytes += chunk[0..<count]
        }
        while bytes.last == UInt8(ascii: "\n") { bytes.removeLast() }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Writes `value` through a descriptor opened now on the calling thread, as one `write`.
    public func write(_ value: String) throws(SystemError) {
        let file = "/proc/sys/\(path)"
        let fd = try systemCall("write sysctl", description) { open(file, O_WRONLY | O_CLOEXEC) }
        defer { close(fd) }
        let bytes = Array((value + "\n").utf8)
        let written = try systemCall("write sysctl", "\(description) = \(value)") {
            bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
        }
        guard written == bytes.count else { throw SystemError("write sysctl", "\(description) = \(value)", errno: EIO) }
    }

    private init(unchecked path: String) { self.path = path }

    /// An interface component: an interface name, `all` or `default`; never a path.
    private static func checked(_ interface: String) throws(SystemError) -> String {
        let bytes = interface.utf8
        guard !bytes.isEmpty, bytes.count <= 15, interface != ".", interface != "..",
            !bytes.contains(where: { $0 == UInt8(ascii: "/") || $0 <= 0x20 })
        else { throw SystemError("name sysctl", "interface '\(interface)'", errno: EINVAL) }
        return interface
    }
}

extension NetworkNamespace {
    /// Writes one setting from a thread inside this namespace.
    public func setSysctl(_ setting: Sysctl, to value: String) throws(SystemError) {
        try setSysctls([(setting, value)])
    }

    /// Writes several settings, in order, from one thread inside this namespace.
    public func setSysctls(_ settings: [(Sysctl, String)]) throws(SystemError) {
        let pairs = settings.map { SysctlAssignment(setting: $0.0, value: $0.1) }
        try runReportingSystemErrors { () throws(SystemError) -> Void in
            for pair in pairs { try pair.setting.write(pair.value) }
        }
    }

    /// Reads one setting from a thread inside this namespace.
    public func sysctl(_ setting: Sysctl) throws(SystemError) -> String {
        try runReportingSystemErrors { () throws(SystemError) -> String in try setting.read() }
    }
}

private struct SysctlAssignment: Sendable {
    let setting: Sysctl
    let value: String
}

extension String {
    fileprivate func replacingSlashesWithDots() -> String {
        String(map { $0 == "/" ? "." : $0 })
    }
}
