public import Firewall
public import RouteNL
public import SystemSupport
public import WireGuardNL

/// The typed error of the module under a failed read (``NodeReaderError``) or action (``ApplyError``).
public enum NodeAgentCause: Sendable, Equatable, CustomStringConvertible {
    case system(SystemError)
    case routeNL(RouteNLError)
    case firewall(FirewallError)
    case wireGuard(WireGuardError)
    /// Something the modules did not report as one of their errors (for a read: what the kernel
    /// reported and the snapshot cannot hold, such as a link name `InterfaceName` refuses).
    case unexpected(String)

    public var description: String {
        switch self {
        case .system(let error): "\(error)"
        case .routeNL(let error): "\(error)"
        case .firewall(let error): "\(error)"
        case .wireGuard(let error): "\(error)"
        case .unexpected(let text): text
        }
    }
}
