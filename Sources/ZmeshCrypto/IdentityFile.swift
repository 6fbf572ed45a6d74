internal import CSodium

#if canImport(Glibc)
import Glibc
#endif

/// Identity files: an identity's secret seed on disk, created with mode 0600 and refused when group
/// or others may read or write it (as OpenSSH refuses a private key that is "too open").
///
/// The format is UTF-8 text, one `name: value` per line, `#` comments:
///
///     # zmesh identity: an Ed25519 key pair. …
///     id: <26 characters>
///     public-key: <base64, 44 characters>
///     secret-key: <base64 of the 32-byte seed, 44 characters>
///
/// `id` and `public-key` are there for people; on load they must match the secret key.
/// The secret never appears in an error message, a description or a log line.
public enum IdentityFile {
    /// The largest identity file accepted.
    public static let maximumSize = 4096

    /// Creates a new identity and writes it to a new file at `path` (mode 0600; an existing file is
    /// never overwritten).
    public static func create(at path: String) throws(IdentityFileError) -> Identity {
        let identity = Identity.generate()
        try write(identity, to: path)
        return identity
    }

    /// Writes `identity` to a new file at `path` with mode 0600. Fails if `path` exists (a symbolic
    /// link included), so an identity is never replaced by accident.
    public static func write(_ identity: Identity, to path: String) throws(IdentityFileError) {
        var contents = render(identity)
        defer { sodium_memzero(&contents, contents.count) }
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600)
        guard fd >= 0 else {
            let code = errno
            if code == EEXIST {
                throw IdentityFileError(
                    .alreadyExists, path: path, "identity file '\(path)' already exists; it is never overwritten")
            }
            throw .system(code, path: path, doing: "create")
        }
        var failure: IdentityFileError?
        if fchmod(fd, 0o600) != 0 {
            failure = .system(errno, path: path, doing: "set the mode of")
        } else if let code = writeAll(fd, contents) {
            failure = .system(code, path: path, doing: "write")
        } else if fsync(fd) != 0 {
            failure = .system(errno, path: path, doing: "sync")
        }
        if close(fd) != 0, failure == nil { failure = .system(errno, path: path, doing: "close") }
        if let failure {
            unlink(path)
            throw failure
        }
    }

    /// Loads the identity in the file at `path`. Refuses anything but a regular file, and a file
    /// whose mode grants group or others any access.
    public static func load(from path: String) throws(IdentityFileError) -> Identity {
        let fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK)
        guard fd >= 0 else { throw .system(errno, path: path, doing: "open") }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw .system(errno, path: path, doing: "inspect") }
        guard info.st_mode & S_IFMT == S_IFREG else {
            throw IdentityFileError(.notARegularFile, path: path, "identity file '\(path)' is not a regular file")
        }
        let mode = UInt32(info.st_mode) & 0o7777
        guard mode & 0o077 == 0 else {
            throw IdentityFileError(
                .permissionsTooOpen(mode: mode), path: path,
                "identity file '\(path)' has mode \(octal(mode)): group or others may access the secret key in it; "
                    + "refusing to use it (run 'chmod 600 \(path)' if it has not leaked)")
        }
        var contents = [UInt8](repeating: 0, count: maximumSize + 1)
        defer { sodium_memzero(&contents, contents.count) }
        var length = 0
        while length < contents.count {
            let n = contents.withUnsafeMutableBytes { buffer in
                read(fd, buffer.baseAddress.map { $0 + length }, buffer.count - length)
            }
            if n < 0 {
                if errno == EINTR { continue }
                throw .system(errno, path: path, doing: "read")
            }
            if n == 0 { break }
            length += n
        }
        guard length <= maximumSize else {
            throw IdentityFileError(
                .malformed, path: path, "identity file '\(path)' is larger than \(maximumSize) bytes")
        }
        return try parse(contents[..<length], path: path)
    }

    /// The file contents for `identity`; the caller wipes them.
    static func render(_ identity: Identity) -> [UInt8] {
        var out = Array(
            ("# zmesh identity: an Ed25519 key pair. The secret key controls this identity: keep this file\n"
                + "# private (mode 0600) and back it up; it cannot be recovered.\n"
                + "id: \(identity.id)\n"
                + "public-key: \(identity.publicKey.base64)\n"
                + "secret-key: ").utf8)
        var secret = identity.withSeed { seed in Sodium.base64Secret(seed, count: Identity.seedByteCount) }
        defer { sodium_memzero(&secret, secret.count) }
        out.reserveCapacity(out.count + secret.count + 1)
        out += secret
        out.append(UInt8(ascii: "\n"))
        return out
    }

    /// Parses identity file contents (no permission check). Errors name lines, never their values.
    public static func parse(_ contents: ArraySlice<UInt8>, path: String) throws(IdentityFileError) -> Identity {
        func malformed(_ reason: String) -> IdentityFileError {
            IdentityFileError(.malformed, path: path, "identity file '\(path)' \(reason)")
        }
        var id: String?
        var publicKey: String?
        var secretLine: ArraySlice<UInt8>?
        var lineNumber = 0
        for line in contents.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false) {
            lineNumber += 1
            var text = line
            if text.last == UInt8(ascii: "\r") { text = text.dropLast() }
            guard let first = text.firstIndex(where: { $0 != 0x20 && $0 != 0x09 }) else { continue }
            if text[first] == UInt8(ascii: "#") { continue }
            guard let colon = text.firstIndex(of: UInt8(ascii: ":")) else {
                throw malformed("line \(lineNumber) is not 'name: value'")
            }
            let name = String(decoding: text[first..<colon], as: UTF8.self)
            var value = text[text.index(after: colon)...]
            while let c = value.first, c == 0x20 || c == 0x09 { value = value.dropFirst() }
            while let c = value.last, c == 0x20 || c == 0x09 { value = value.dropLast() }
            switch name {
            case "id": id = String(decoding: value, as: UTF8.self)
            case "public-key": publicKey = String(decoding: value, as: UTF8.self)
            case "secret-key":
                guard secretLine == nil else { throw malformed("has more than one secret-key line") }
                secretLine = value
            default:
                guard name.utf8.count <= 32, name.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7f }) else {
                    throw malformed("line \(lineNumber) is not 'name: value'")
                }
                throw malformed("line \(lineNumber) has an unknown name '\(name)'")
            }
        }
        guard let secretLine else { throw malformed("has no secret-key line") }
        var seed = [UInt8](repeating: 0, count: Identity.seedByteCount)
        defer { sodium_memzero(&seed, seed.count) }
        let decoded = seed.withUnsafeMutableBufferPointer { target in
            target.baseAddress.map { Sodium.decodeBase64Secret(secretLine, count: target.count, into: $0) } ?? false
        }
        guard decoded else {
            throw malformed("has a secret-key line that is not 44 characters of base64 encoding 32 bytes")
        }
        let identity = seed.withUnsafeBufferPointer { buffer in
            buffer.baseAddress.map { Identity(seedPointer: $0) }
        }
        guard let identity else { throw malformed("has no secret key") }
        if let publicKey, publicKey != identity.publicKey.base64 {
            throw malformed("is inconsistent: its public-key line is not the public key of its secret key")
        }
        if let id, id != identity.id.rawValue {
            throw malformed("is inconsistent: its id line is not the id of its secret key")
        }
        return identity
    }

    private static func writeAll(_ fd: Int32, _ bytes: [UInt8]) -> Int32? {
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeBytes { raw in
                Glibc.write(fd, raw.baseAddress.map { $0 + offset }, raw.count - offset)
            }
            if n < 0 {
                if errno == EINTR { continue }
                return errno
            }
            offset += n
        }
        return nil
    }

    private static func octal(_ mode: UInt32) -> String {
        let digits = String(mode, radix: 8)
        return String(repeating: "0", count: max(0, 4 - digits.count)) + digits
    }
}

/// Why an identity file could not be written or used. The message names the file, never its secret.
public struct IdentityFileError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What went wrong, for callers that react differently.
    public enum Kind: Sendable, Equatable {
        /// A system call failed with this `errno`.
        case system(errno: Int32)
        /// The file to create exists already.
        case alreadyExists
        /// The file grants group or others access (its permission bits are given).
        case permissionsTooOpen(mode: UInt32)
        /// The path is not a regular file.
        case notARegularFile
        /// The contents are not an identity file.
        case malformed
    }

    /// What went wrong.
    public let kind: Kind
    /// The identity file's path.
    public let path: String
    /// A sentence for people.
    public let message: String

    init(_ kind: Kind, path: String, _ message: String) {
        self.kind = kind
        self.path = path
        self.message = message
    }

    static func system(_ code: Int32, path: String, doing action: String) -> IdentityFileError {
        IdentityFileError(
            .system(errno: code), path: path,
            "cannot \(action) identity file '\(path)': \(String(cString: strerror(code)))")
    }

    public var description: String { message }
}
