public import ArgumentParser
#if canImport(Glibc)
import Glibc
#endif
import ZmeshCrypto
import ZmeshModel

/// `zmesh wg genkey`: a new private key (clamped), base64, on stdout.
public struct WGGenkey: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "genkey", abstract: "Generates a new private key and writes it to stdout.")

    public init() {}

    public func run() throws {
        WGKeyOutput.warnIfWorldAccessible()
        WGIO.write(WireGuardKeys.generatePrivateKey().revealedBase64 + "\n", to: STDOUT_FILENO)
    }
}

/// `zmesh wg genpsk`: a new preshared key, base64, on stdout.
public struct WGGenpsk: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "genpsk", abstract: "Generates a new preshared key and writes it to stdout.")

    public init() {}

    public func run() throws {
        WGKeyOutput.warnIfWorldAccessible()
        WGIO.write(WireGuardKeys.generatePresharedKey().base64 + "\n", to: STDOUT_FILENO)
    }
}

/// `zmesh wg pubkey`: reads a private key on stdin, writes its public key on stdout.
public struct WGPubkey: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "pubkey", abstract: "Reads a private key from stdin and writes a public key to stdout.")

    public init() {}

    public func run() throws {
        let input = try WGIO.readAll(fd: STDIN_FILENO, limit: 1 << 16, what: "standard input")
        let publicKey = try Self.publicKey(forInput: input)
        WGIO.write(publicKey.base64 + "\n", to: STDOUT_FILENO)
    }

    /// Accepts what `wg pubkey` accepts: exactly 44 characters of base64 first, then only whitespace
    /// or NUL bytes.
    static func publicKey(forInput input: [UInt8]) throws(WGCommandError) -> WireGuardKey {
        let keyLength = 44
        guard input.count >= keyLength else {
            throw WGCommandError("the private key on standard input is not 44 characters of base64 (\(input.count) bytes given)")
        }
        let isSpace = { (b: UInt8) in b == 0 || b == 0x20 || (b >= 0x09 && b <= 0x0d) }
        guard input[keyLength...].allSatisfy(isSpace) else {
            throw WGCommandError("trailing characters after the private key on standard input")
        }
        guard let key = WireGuardKey(base64: String(decoding: input[..<keyLength], as: UTF8.self)) else {
            throw WGCommandError("the private key on standard input is not 44 characters of base64 encoding 32 bytes")
        }
        return WireGuardKeys.publicKey(for: PrivateKey(key))
    }
}

/// `wg genkey`'s caution about where keys end up.
enum WGKeyOutput {
    /// Warns on stderr, as `wg` does, when stdout is a regular file others may read.
    static func warnIfWorldAccessible() {
        var info = stat()
        if fstat(STDOUT_FILENO, &info) == 0, info.st_mode & S_IFMT == S_IFREG, info.st_mode & S_IRWXO != 0 {
            WGIO.write(
                "Warning: writing to world accessible file.\nConsider setting the umask to 077 and trying again.\n",
                to: STDERR_FILENO)
        }
    }
}
