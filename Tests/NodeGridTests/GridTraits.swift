import GridSupport
import Testing

extension Trait where Self == ConditionTrait {
    /// Root, namespaces, unshare/nsenter, wireguard-go, /dev/net/tun and the built `zmesh`; otherwise
    /// skipped with the reason (``GridSupport/GridEnvironment/unavailableReason``).
    static var requiresGrid: Self {
        .enabled(
            if: GridEnvironment.isAvailable,
            Comment(rawValue: "needs a simulated grid: " + (GridEnvironment.unavailableReason ?? "")))
    }
}
