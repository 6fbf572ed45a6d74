import Testing
import ZmeshCrypto

#if canImport(Glibc)
import Glibc
import DeploymentTestSupport
#endif

@Suite struct IdentityFileTests {
    /// A fresh directory under /tmp, removed afterwards.
    static func withDirectory(_ body: (String) throws -> Void) throws {
        var template = Array("/tmp/zmesh-identity-XXXXXX".utf8CString)
        guard let made = mkdtemp(&template) else { throw CryptoError.cannotOpenSealedBox }
        let directory = String(cString: made)
        defer {
            if let dir = opendir(directory) {
                while let entry = readdir(dir) {
                    let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                        String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
                    }
                    if name != "." && name != ".." { unlink("\(directory)/\(name)") }
                }
                closedir(dir)
            }
            rmdir(directory)
        }
        try body(directory)
    }

    static func mode(_ path: String) -> UInt32 {
        var info = stat()
        guard stat(path, &info) == 0 else { return 0xffff }
        return UInt32(info.st_mode) & 0o7777
    }

    static func contents(_ path: String) -> String {
        guard let file = fopen(path, "r") else { return "" }
        defer { fclose(file) }
        var out: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = fread(&buffer, 1, buffer.count, file)
            if n == 0 { break }
            out += buffer[0..<n]
        }
        return String(decoding: out, as: UTF8.self)
    }

    static func write(_ text: String, to path: String, mode: mode_t) {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, mode)
        _ = text.withCString { Glibc.write(fd, $0, strlen($0)) }
        fchmod(fd, mode)
        close(fd)
    }

    @Test func createdWithMode0600AndLoadsBack() throws {
        try Self.withDirectory { directory in
            let path = "\(directory)/node.id"
            let umaskBefore = umask(0)  // even with a permissive umask the file is 0600
            defer { umask(umaskBefore) }
            let identity = try IdentityFile.create(at: path)
            #expect(Self.mode(path) == 0o600)
            let loaded = try IdentityFile.load(from: path)
            #expect(loaded.publicKey == identity.publicKey)
            #expect(loaded.id == identity.id)
            let text = Self.contents(path)
            #expect(text.contains("id: \(identity.id)\n"))
            #expect(text.contains("public-key: \(identity.publicKey.base64)\n"))
        }
    }

    @Test func neverOverwritesAnExistingFile() throws {
        try Self.withDirectory { directory in
            let path = "\(directory)/twin.id"
            let first = try IdentityFile.create(at: path)
            #expect {
                _ = try IdentityFile.create(at: path)
            } throws: { error in
                (error as? IdentityFileError)?.kind == .alreadyExists
            }
            #expect(try IdentityFile.load(from: path).id == first.id)
        }
    }

    @Test(arguments: [0o644, 0o640, 0o604, 0o660, 0o602, 0o620, 0o700 | 0o044])
    func refusesFilesOthersMayAccess(mode: Int) throws {
        try Self.withDirectory { directory in
            let path = "\(directory)/open.id"
            _ = try IdentityFile.create(at: path)
            let secretLine = Self.contents(path).split(separator: "\n").first { $0.hasPrefix("secret-key:") } ?? ""
            chmod(path, mode_t(mode))
            #expect {
                _ = try IdentityFile.load(from: path)
            } throws: { error in
                guard let error = error as? IdentityFileError else { return false }
                let octal = String(mode, radix: 8)
                return error.kind == .permissionsTooOpen(mode: UInt32(mode))
                    && error.message.contains("has mode 0\(octal)")
                    && !error.message.contains(String(secretLine.dropFirst("secret-key: ".count)))
            }
        }
    }

    @Test func refusesDirectoriesAndMissingFiles() throws {
        try Self.withDirectory { directory in
            #expect {
                _ = try IdentityFile.load(from: directory)
            } throws: { ($0 as? IdentityFileError)?.kind == .notARegularFile }
            #expect {
                _ = try IdentityFile.load(from: "\(directory)/missing")
            } throws: { ($0 as? IdentityFileError)?.kind == .system(errno: ENOENT) }
        }
    }

    struct MalformedFile: Sendable, CustomStringConvertible {
        let name: String
        let text: String
        let message: String
        var description: String { name }
    }

    static let secret = "c2VjcmV0IHNlZWQgdGhhdCBtdXN0IG5vdCBsZWFrISE="

    @Test(arguments: [
        MalformedFile(name: "empty", text: "", message: "has no secret-key line"),
        MalformedFile(name: "no colon", text: "secret \(secret)\n", message: "line 1 is not 'name: value'"),
        MalformedFile(
            name: "unknown name", text: "secret-key: \(secret)\nfoo: bar\n", message: "line 2 has an unknown name 'foo'"
        ),
        MalformedFile(
            name: "short secret", text: "secret-key: \(secret.dropFirst(4))\n",
            message: "has a secret-key line that is not 44 characters of base64 encoding 32 bytes"),
        MalformedFile(
            name: "two secrets", text: "secret-key: \(secret)\nsecret-key: \(secret)\n",
            message: "has more than one secret-key line"),
        MalformedFile(
            name: "wrong public key", text: "public-key: \(Fixtures.bob.publicKey.base64)\nsecret-key: \(secret)\n",
            message: "is inconsistent: its public-key line is not the public key of its secret key"),
        MalformedFile(
            name: "wrong id", text: "id: \(Fixtures.bob.id)\nsecret-key: \(secret)\n",
            message: "is inconsistent: its id line is not the id of its secret key"),
    ])
    func malformedFilesAreRefusedWithoutEchoingTheSecret(_ file: MalformedFile) throws {
        try Self.withDirectory { directory in
            let path = "\(directory)/bad.id"
            Self.write(file.text, to: path, mode: 0o600)
            #expect {
                _ = try IdentityFile.load(from: path)
            } throws: { error in
                guard let error = error as? IdentityFileError else { return false }
                return error.kind == .malformed && error.message == "identity file '\(path)' \(file.message)"
                    && !error.description.contains(Self.secret) && !error.description.contains(Self.secret.dropFirst(4))
            }
        }
    }

    @Test func theSeedRoundTripsThroughTheFormat() throws {
        try Self.withDirectory { directory in
            let path = "\(directory)/fixed.id"
            // A file written by hand with a known seed loads as the identity of that seed.
            let seed = [UInt8](repeating: 7, count: 32)
            let expected = try Identity(seed: seed)
            Self.write(
                "# comment\n\n  secret-key:   BwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwc=  \r\n", to: path, mode: 0o400
            )
            #expect(try IdentityFile.load(from: path).publicKey == expected.publicKey)
        }
    }
}
