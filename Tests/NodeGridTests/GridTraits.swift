import GridSupport
import Testing

extension Trait where Self == ConditionTrait {
    /// Root, namespaces, unshare/nsenter, the built `zmesh` and the WireGuard of the grid's backend
    /// (``GridSupport/GridEnvironment/defaultBackend``: wireguard-go and /dev/net/tun for `userspace`,
    /// the kernel's WireGuard for `kernel`); otherwise skipped with the reason
    /// (``GridSupport/GridEnvironment/unavailableReason``).
    static var requiresGrid: Self {
        .enabled(
            if: GridEnvironment.isAvailable,
            Comment(rawValue: "needs a simulated grid: " + (GridEnvironment.unavailableReason ?? "")))
    }

    /// Skipped when the grid's agents use the kernel's WireGuard (`ZMESH_GRID_BACKEND=kernel`, the QEMU
    /// guest): the test reads what only the userspace backend has; `reason` says what.
    static func requiresUserspaceWireGuard(_ reason: String) -> Self {
        .enabled(
            if: GridEnvironment.defaultBackend == "userspace",
            Comment(rawValue: "needs userspace WireGuard (wireguard-go), not kernel: " + reason))
    }
}

/// Why tests are skipped with kernel WireGuard (``Trait/requiresUserspaceWireGuard(_:)``).
enum KernelSkip {
    /// The test follows wireguard-go processes (PIDs that must survive or end).
    static let wireGuardGoProcesses = "follows the node's wireguard-go processes, which the kernel backend does not run"
    /// The test starts wireguard-go itself (in the nodes, as the agents' userspace backend would).
    static let runsWireGuardGo = "starts wireguard-go itself, which the guest with kernel WireGuard does not have"
    /// `zmesh demo` runs with its own default backend (userspace); `integration/vm/grid.sh` runs it with
    /// `--backend kernel`.
    static let demoBackend =
        "runs `zmesh demo` with its default backend (userspace); integration/vm/grid.sh runs the demo with --backend kernel"
}
