import Registry
import RegistryClient
import RegistryTestSupport

/// The in-process registry (shared with the registry's tests), reached through its URL.
typealias LocalRegistry = InProcessRegistry

extension InProcessRegistry {
    /// `http://127.0.0.1:<port>`.
    var url: RegistryURL {
        get throws { try RegistryURL("http://127.0.0.1:\(port)") }
    }
}
