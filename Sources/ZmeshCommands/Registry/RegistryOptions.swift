public import ArgumentParser
import Logging
import RegistryClient
import ZmeshCrypto

/// `--registry URL [--ca-file PEM]`: how a deployer command reaches the registry.
public struct RegistryOptions: ParsableArguments {
    @Option(help: "The registry: http(s)://HOST:PORT.")
    public var registry: String

    @Option(help: "PEM file of the certificate authorities to trust for an https registry (default: the system's).")
    public var caFile: String?

    public init() {}

    /// A client of the registry, signing as `identity` (nil: public endpoints only).
    func client(signingAs identity: Identity?) throws(CommandError) -> RegistryClient {
        do {
            let url = try RegistryURL(registry)
            return try RegistryClient(
                url: url, identity: identity, configuration: RegistryClientConfiguration(caFile: caFile),
                logger: ZmeshCommand.logger)
        } catch {
            throw CommandError(error.description)
        }
    }
}

extension CommandError {
    /// A registry client's failure as a command's error (its description names the operation and value).
    init(_ error: RegistryClientError) { self.init(error.description) }
}
