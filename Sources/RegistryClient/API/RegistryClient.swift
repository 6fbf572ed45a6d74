public import Logging
public import ZmeshCrypto

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// A client of the registry's `/v1` API over libcurl (no Foundation, no server stack).
///
/// One client holds one ``HTTPTransport`` — one thread and one libcurl multi handle — however many
/// requests run at once; share it. Requests that act as someone are signed with ``identity`` (a twin for a
/// deployer, a node for a node agent), each attempt anew with a fresh timestamp and nonce. Failed attempts
/// are retried per ``RegistryClientConfiguration/retry`` (see ``RetryPolicy``): connection failures,
/// timeouts, resets, 5xx and 429 (honouring `Retry-After`); never other 4xx. Every operation today is
/// idempotent (registrations replace, a resubmitted document answers `already_stored`, farm names are
/// unique per owner, status reports replace); a call marked otherwise is retried only when the request
/// certainly did not reach the registry (connection refused, name not resolved) or was refused with 429.
///
/// Logs name operations, targets, statuses and error codes; never signatures, documents or keys.
public final class RegistryClient: Sendable {
    public let url: RegistryURL
    /// The identity requests are signed with; `nil` for a client of public endpoints only.
    public let identity: Identity?
    public let configuration: RegistryClientConfiguration
    let transport: HTTPTransport
    /// Learnt from the registry when it refuses a timestamp (see ``RegistryClientConfiguration/adoptsRegistryClock``).
    let clockOffset: ClockOffset
    let logger: Logger

    /// A client of the registry at `url`, signing as `identity`.
    /// - Throws: ``RegistryClientError/invalidArgument(operation:value:reason:)`` for an unreadable CA file,
    ///   ``RegistryClientError/transport(operation:url:code:message:)`` when libcurl cannot start.
    public convenience init(
        url: RegistryURL, identity: Identity?, configuration: RegistryClientConfiguration = RegistryClientConfiguration(),
        logger: Logger
    ) throws(RegistryClientError) {
        if let caFile = configuration.caFile, access(caFile, R_OK) != 0 {
            throw .invalidArgument(
                operation: "configure the registry client", value: caFile, reason: "the CA file cannot be read")
        }
        let options = TransportOptions(
            connectTimeout: configuration.connectTimeout, caFile: configuration.caFile,
            maximumResponseBytes: configuration.maximumResponseBytes)
        let transport: HTTPTransport
        do {
            transport = try HTTPTransport(options: options, logger: logger)
        } catch {
            throw .transport(
                operation: "start the registry client", url: url.description, code: error.code, message: error.message)
        }
        self.init(
            url: url, identity: identity, configuration: configuration, transport: transport, clockOffset: ClockOffset(),
            logger: logger)
    }

    private init(
        url: RegistryURL, identity: Identity?, configuration: RegistryClientConfiguration, transport: HTTPTransport,
        clockOffset: ClockOffset, logger: Logger
    ) {
        self.url = url
        self.identity = identity
        self.configuration = configuration
        self.transport = transport
        self.clockOffset = clockOffset
        self.logger = logger
    }

    /// A client of the same registry, with the same configuration and the same transport (thread, multi
    /// handle and connection cache) and clock offset, that signs as `identity`: many identities (a
    /// benchmark's thousand nodes, a deployer's co-owners) cost one thread.
    public func signing(as identity: Identity?) -> RegistryClient {
        RegistryClient(
            url: url, identity: identity, configuration: configuration, transport: transport, clockOffset: clockOffset,
            logger: logger)
    }
}
