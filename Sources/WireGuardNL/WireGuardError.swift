public import Netlink
public import RouteNL
public import SystemSupport
public import ZmeshModel

/// What went wrong talking to a WireGuard device, naming the interface and the operation.
public enum WireGuardError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The kernel has no `wireguard` generic-netlink family (module absent and not loadable).
    case kernelHasNoWireGuard
    case noSuchDevice(InterfaceName)
    /// The interface exists but is not a WireGuard device.
    case notWireGuard(InterfaceName)
    case permissionDenied(operation: String, interface: InterfaceName)
    /// The kernel refused or failed an operation.
    case netlink(interface: InterfaceName?, NetlinkError)
    /// Creating, deleting, listing or moving an interface failed (rtnetlink).
    case links(RouteNLError)
    /// A netlink message budget that cannot hold a WireGuard message.
    case invalidBudget(Int)
    /// A userspace implementation answered with a non-zero errno, or the UAPI socket failed.
    case userspace(operation: String, interface: InterfaceName, errno: Int32?, detail: String)
    /// A configuration refused before anything was sent.
    case invalidConfiguration(interface: InterfaceName, ConfigurationProblems)
    case system(SystemError)

    public var description: String {
        switch self {
        case .kernelHasNoWireGuard:
            return "the kernel has no WireGuard support (generic netlink family 'wireguard' not found)"
        case .noSuchDevice(let name): return "interface '\(name)' does not exist"
        case .notWireGuard(let name): return "interface '\(name)' is not a WireGuard interface"
        case .permissionDenied(let operation, let name):
            return "\(operation) '\(name)': permission denied (CAP_NET_ADMIN is required)"
        case .netlink(let name, let error):
            return name.map { "interface '\($0)': \(error)" } ?? error.description
        case .links(let error): return error.description
        case .invalidBudget(let budget):
            return "netlink message budget \(budget) refused: it must be a multiple of 4 from 256 to 1048576 bytes"
        case .userspace(let operation, let name, let errno, let detail):
            let code = errno.map { " (\(SystemError.message(for: $0)))" } ?? ""
            return "\(operation) '\(name)' over the userspace API: \(detail)\(code)"
        case .invalidConfiguration(let name, let problems):
            return "configuration for '\(name)' refused:\n\(problems)"
        case .system(let error): return error.description
        }
    }
}

extension WireGuardError {
    /// Maps a kernel error on `name` to the cases callers branch on.
    static func fromKernel(_ error: NetlinkError, interface name: InterfaceName, operation: String) -> WireGuardError {
        switch error.errno {
        case 19: return .noSuchDevice(name)  // ENODEV
        case 95: return .notWireGuard(name)  // EOPNOTSUPP
        case 1: return .permissionDenied(operation: operation, interface: name)  // EPERM
        default: return .netlink(interface: name, error)
        }
    }
}
