import Testing
import ZmeshTestSupport

extension Trait where Self == ConditionTrait {
    /// Root, a network namespace can be made, iproute2, nft and python3 present; otherwise skipped
    /// with the reason (``NetworkTestEnvironment/unavailableReason``).
    static var requiresNetworkPrivileges: Self {
        .enabled(
            if: NetworkTestEnvironment.isAvailable,
            Comment(rawValue: "needs root and the ability to create network namespaces: \(NetworkTestEnvironment.unavailableReason ?? "")"))
    }
}
