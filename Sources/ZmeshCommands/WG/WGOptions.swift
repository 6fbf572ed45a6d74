public import ArgumentParser
import WireGuardNL

/// Which WireGuard implementation `zmesh wg` talks to.
public enum WGBackendOption: String, CaseIterable, Sendable, ExpressibleByArgument {
    /// Per interface, as `wg` does: the userspace socket when there is one, else the kernel.
    case automatic
    case kernel
    case userspace

    var choice: BackendChoice {
        switch self {
        case .automatic: .automatic
        case .kernel: .kernel
        case .userspace: .userspace
        }
    }
}

/// The options of `zmesh wg` that every verb shares.
public struct WGOptions: ParsableArguments {
    @Option(help: "The WireGuard implementation to use: automatic (as wg does), kernel or userspace.")
    public var backend: WGBackendOption = .automatic

    @Option(help: ArgumentHelp("Where userspace WireGuard (wireguard-go) puts its UAPI sockets.", valueName: "path"))
    public var socketDirectory: String = UserspaceBackend.defaultSocketDirectory

    public init() {}

    /// Devices of the calling thread's network namespace, through the chosen backend.
    func devices() -> WGClientDevices {
        WGClientDevices(client: WireGuardClient(choice: backend.choice, socketDirectory: socketDirectory, logger: ZmeshCommand.logger))
    }
}
