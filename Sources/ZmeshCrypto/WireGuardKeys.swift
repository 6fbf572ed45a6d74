internal import CSodium
public import ZmeshModel

/// WireGuard key material from libsodium: X25519 private keys (clamped), public-key derivation,
/// preshared keys. The only module that imports libsodium.
public enum WireGuardKeys {
    /// A new random private key, clamped as `wg genkey` prints it.
    public static func generatePrivateKey() -> PrivateKey {
        PrivateKey(randomKey()).clamped
    }

    /// A new random preshared key (`wg genpsk`).
    public static func generatePresharedKey() -> WireGuardKey { randomKey() }

    /// The X25519 public key of `privateKey` (`wg pubkey`).
    public static func publicKey(for privateKey: PrivateKey) -> WireGuardKey {
        Sodium.ensureInitialised()
        var secret = privateKey.key.bytes
        defer { sodium_memzero(&secret, secret.count) }
        var out = [UInt8](repeating: 0, count: 32)
        // Fails only for an all-zero result (a low-order point), impossible for a clamped scalar;
        // the kernel would then report no public key, and so do we.
        guard crypto_scalarmult_curve25519_base(&out, secret) == 0 else { return .zero }
        return WireGuardKey(bytes: out) ?? .zero
    }

    private static func randomKey() -> WireGuardKey {
        Sodium.ensureInitialised()
        var bytes = [UInt8](repeating: 0, count: 32)
        defer { sodium_memzero(&bytes, bytes.count) }
        randombytes_buf(&bytes, bytes.count)
        return WireGuardKey(bytes: bytes) ?? .zero
    }
}
