internal import CSodium

/// A fixed-size buffer for secret key material, allocated with `sodium_malloc` (guard pages, locked
/// in memory where the system allows) and wiped with `sodium_free` when the last reference goes.
/// Immutable after initialisation, hence safe to share between threads.
final class SecretBytes: @unchecked Sendable {
    private let pointer: UnsafeMutablePointer<UInt8>
    /// Bytes held.
    let count: Int

    /// Allocates `count` bytes (at least one) and lets `initialize` fill them; they start zeroed.
    init<E: Error>(count: Int, initialize: (UnsafeMutablePointer<UInt8>) throws(E) -> Void) throws(E) {
        Sodium.ensureInitialised()
        precondition(count > 0, "a secret needs at least one byte")
        guard let raw = sodium_malloc(count) else { preconditionFailure("sodium_malloc(\(count)) failed") }
        let typed = raw.bindMemory(to: UInt8.self, capacity: count)
        sodium_memzero(raw, count)
        do {
            try initialize(typed)
        } catch {
            sodium_free(raw)
            throw error
        }
        pointer = typed
        self.count = count
    }

    deinit { sodium_free(pointer) }

    /// Calls `body` with the secret bytes; do not let the pointer escape.
    func withUnsafePointer<R, E: Error>(_ body: (UnsafePointer<UInt8>) throws(E) -> R) throws(E) -> R {
        try body(UnsafePointer(pointer))
    }
}
