public import ArgumentParser
import MeshPlanner
import ZmeshCrypto
import ZmeshModel

/// `zmesh network access SPEC NAME [--previous PLAN] [--private-key FILE] [--qr]`.
public struct NetworkAccess: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "access",
        abstract: "Print the wg-quick file of a user access (a laptop or a phone), or its QR code.",
        discussion: """
            The access must be in the spec. Its private key never enters the plan: give it with \
            --private-key to have it written into the file; without it the file says where to paste it. \
            When the spec gives the access no public_key yet, a new key pair is made: the file carries the \
            new private key, and the public key to add to the spec is printed on standard error (the access \
            node only accepts the device once a plan with that key is deployed).
            """)

    @Argument(help: "The network spec (JSON), or - for standard input.")
    public var spec: String

    @Argument(help: "The access's name in the spec.")
    public var name: String

    @Option(help: "The plan in force (written by 'zmesh network plan --json').")
    public var previous: String?

    @Option(
        name: .customLong("private-key"),
        help: "A file holding the device's private key (base64, as 'wg genkey' writes).")
    public var privateKeyFile: String?

    @Flag(help: "Print the file as a QR code for the WireGuard app on a phone (comment lines left out).")
    public var qr = false

    public init() {}

    public func run() throws {
        let file = try NetworkSpecInput.spec(spec)
        var networkSpec = file.spec
        guard let index = networkSpec.accesses.firstIndex(where: { $0.name == name }) else {
            let names = networkSpec.accesses.map(\.name)
            throw CommandError(
                "'\(spec)' has no access named '\(name)'"
                    + (names.isEmpty ? " (it has no accesses)" : " (it has \(names.joined(separator: ", ")))"))
        }
        for (i, access) in networkSpec.accesses.enumerated() where i != index && access.publicKey.isZero {
            networkSpec.accesses[i].publicKey = NetworkSpecInput.standInKey(for: access.name)
        }
        let privateKey = try devicePrivateKey(for: &networkSpec.accesses[index])
        let previousPlan = try previous.map(NetworkSpecInput.previous)
        let plan = try NetworkSpecInput.plan(networkSpec, previous: previousPlan)
        guard let text = plan.accessFile(name, privateKey: privateKey) else {
            throw CommandError("the plan has no access named '\(name)'")
        }
        guard qr else {
            CommandOutput.write(text)
            return
        }
        if privateKey == nil {
            CommandOutput.error("warning: the QR code holds no private key; give it with --private-key\n")
        }
        let payload = text.split(separator: "\n", omittingEmptySubsequences: false)
            .filter { !$0.hasPrefix("#") }.joined(separator: "\n")
        do { CommandOutput.write(try QRCode(encoding: payload).terminalText()) } catch {
            throw CommandError("cannot make a QR code: \(error)")
        }
    }

    /// The device's private key: from --private-key (checked against the spec's public key), a new one
    /// when the spec has no public key (which is then filled in), or none.
    private func devicePrivateKey(for access: inout AccessRequest) throws -> PrivateKey? {
        if let path = privateKeyFile {
            let key = PrivateKey(try WGKeyFile.read(path, what: "private key file"))
            guard !key.key.isZero else { throw CommandError("private key file '\(path)' is empty") }
            let publicKey = WireGuardKeys.publicKey(for: key)
            if access.publicKey.isZero {
                access.publicKey = publicKey
                CommandOutput.error(Self.addKeyHint(name, publicKey, spec))
            } else if access.publicKey != publicKey {
                throw CommandError(
                    "the key in '\(path)' is not the private key of access '\(name)' (whose public key is "
                        + "\(access.publicKey))")
            }
            return key
        }
        guard access.publicKey.isZero else { return nil }
        let key = WireGuardKeys.generatePrivateKey()
        access.publicKey = WireGuardKeys.publicKey(for: key)
        CommandOutput.error(
            "made a new key pair for access '\(name)'\n" + Self.addKeyHint(name, access.publicKey, spec))
        return key
    }

    private static func addKeyHint(_ name: String, _ key: WireGuardKey, _ spec: String) -> String {
        "add \"public_key\": \"\(key)\" to access '\(name)' in \(spec), then plan and deploy: "
            + "the access node accepts the device only then\n"
    }
}
