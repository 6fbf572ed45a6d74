public import Logging
public import ZmeshModel

#if canImport(Glibc)
import Glibc
#endif

/// Which implementation serves WireGuard devices.
public enum BackendChoice: String, Sendable, CaseIterable {
    /// The kernel when its `wireguard` family resolves, userspace otherwise; and, per interface, the
    /// userspace socket when one exists (as `wg(8)` does).
    case automatic
    case kernel
    case userspace
}

/// WireGuard devices of the calling thread's network namespace, whatever implements them.
///
/// With ``BackendChoice/automatic``, an interface that has a UAPI socket in `socketDirectory` is a
/// userspace device; any other goes to the kernel. Listing merges both.
public final class WireGuardClient {
    public let choice: BackendChoice
    public let userspace: UserspaceBackend
    /// Where ``apply(_:to:)`` reports what it changed (debug) — never key material.
    public let logger: Logger
    private var kernelBackend: Result<KernelBackend, WireGuardError>?

    /// - Parameter logger: the caller's logger; `nil` logs nothing.
    public init(
        choice: BackendChoice = .automatic, socketDirectory: String = UserspaceBackend.defaultSocketDirectory,
        logger: Logger? = nil
    ) {
        self.choice = choice
        self.userspace = UserspaceBackend(socketDirectory: socketDirectory)
        self.logger = logger ?? Logger(label: "zmesh.wireguard", factory: { _ in SwiftLogNoOpLogHandler() })
    }

    /// The kernel backend, opened on first use; throws ``WireGuardError/kernelHasNoWireGuard`` when absent.
    /// Only that answer is remembered: a passing failure (a full file table, say) is tried again next time.
    public func kernel() throws(WireGuardError) -> KernelBackend {
        if let cached = kernelBackend { return try cached.get() }
        do {
            let backend = try KernelBackend()
            kernelBackend = .success(backend)
            return backend
        } catch .kernelHasNoWireGuard {
            kernelBackend = .failure(.kernelHasNoWireGuard)
            throw .kernelHasNoWireGuard
        }
    }

    /// The backend that serves `name`.
    public func backend(for name: InterfaceName) throws(WireGuardError) -> any WireGuardBackend {
        switch choice {
        case .kernel: return try kernel()
        case .userspace: return userspace
        case .automatic: return userspace.hasSocket(for: name) ? userspace : try kernel()
        }
    }

    /// The backend that creates new interfaces: the kernel when it has WireGuard, else userspace.
    public func creatingBackend() -> BackendChoice {
        switch choice {
        case .kernel, .userspace: return choice
        case .automatic: return (try? kernel()) != nil ? .kernel : .userspace
        }
    }

    /// Every WireGuard interface of this namespace, sorted, each once.
    public func interfaceNames() throws(WireGuardError) -> [InterfaceName] {
        var names = Set<InterfaceName>()
        if choice != .kernel { names.formUnion(try userspace.interfaceNames()) }
        if choice != .userspace {
            do { names.formUnion(try kernel().interfaceNames()) } catch .kernelHasNoWireGuard where choice == .automatic {}
        }
        return names.sorted()
    }

    public func device(_ name: InterfaceName) throws(WireGuardError) -> DeviceStatus {
        try backend(for: name).device(name)
    }

    public func set(_ name: InterfaceName, _ update: DeviceUpdate) throws(WireGuardError) {
        try backend(for: name).set(name, update)
    }

    @discardableResult
    public func apply(_ desired: DeviceConfiguration, to name: InterfaceName) throws(WireGuardError) -> DeviceUpdate? {
        let backend = try backend(for: name)
        let sent = try backend.apply(desired, to: name)
        if let sent {
            logger.debug(
                "wireguard device converged",
                metadata: [
                    "wg.interface": "\(name)", "wg.backend": "\(backend.kind)",
                    "wg.peers.removed": "\(sent.peers.count { $0.remove })",
                    "wg.peers.changed": "\(sent.peers.count { !$0.remove })",
                    "wg.private_key.changed": "\(sent.privateKey != nil)",
                ])
        } else {
            logger.trace("wireguard device already as desired", metadata: ["wg.interface": "\(name)"])
        }
        return sent
    }
}
