import Hummingbird
import HummingbirdTLS
public import Logging
import NIOCore
import NIOSSL
public import ServiceLifecycle

/// Builds the registry's HTTP service: the `/v1` routes over a store.
public enum RegistryServer {
    /// The registry as a swift-service-lifecycle `Service`: run it in a `ServiceGroup` for graceful shutdown.
    /// `onRunning` receives the bound port once the server listens. With `tlsCertificatePath` and `tlsKeyPath`
    /// set it serves HTTPS only; unreadable PEM files make `run()` throw before it listens.
    public static func service(
        store: any RegistryStore, configuration: RegistryConfiguration, logger: Logger,
        onRunning: @escaping @Sendable (Int) async -> Void = { _ in }
    ) -> some Service {
        let api = RegistryAPI(store: store, configuration: configuration, logger: logger)
        return RegistryService(api: api, onRunning: onRunning)
    }

    /// The server-side TLS configuration from PEM files.
    static func tlsConfiguration(certificatePath: String, keyPath: String) throws -> TLSConfiguration {
        let chain = try NIOSSLCertificate.fromPEMFile(certificatePath).map { NIOSSLCertificateSource.certificate($0) }
        let key = try NIOSSLPrivateKey(file: keyPath, format: .pem)
        return TLSConfiguration.makeServerConfiguration(certificateChain: chain, privateKey: .privateKey(key))
    }
}

/// The HTTP application plus what surrounds it:
/// - before it listens, the replay cache is restored from the store (or, after an unclean stop, requests
///   stamped before this start are refused);
/// - on graceful shutdown, waiting long-polls are answered at once (with what they have) instead of holding
///   the shutdown until their `wait` runs out;
/// - once it has stopped (no request in flight), the replay cache is saved and the shutdown marked clean.
struct RegistryService: Service {
    let api: RegistryAPI
    let onRunning: @Sendable (Int) async -> Void

    func run() async throws {
        let configuration = api.configuration
        let router = Router()
        api.register(on: router)
        let onRunning = self.onRunning
        let applicationConfiguration = ApplicationConfiguration(
            address: .hostname(configuration.host, port: configuration.port), serverName: "zmesh-registry")
        let application =
            if let certificate = configuration.tlsCertificatePath, let key = configuration.tlsKeyPath {
                Application(
                    router: router,
                    server: try .tls(
                        .http1(),
                        tlsConfiguration: RegistryServer.tlsConfiguration(certificatePath: certificate, keyPath: key)),
                    configuration: applicationConfiguration,
                    onServerRunning: { channel in await onRunning(channel.localAddress?.port ?? 0) }, logger: api.logger)
            } else {
                Application(
                    router: router, configuration: applicationConfiguration,
                    onServerRunning: { channel in await onRunning(channel.localAddress?.port ?? 0) }, logger: api.logger)
            }

        let start = configuration.clock()
        let saved = try await api.store.restoreNonces(now: start)
        api.authenticator.nonces.restore(saved, start: start)
        if saved == nil {
            api.logger.notice(
                "no replay cache saved by a clean shutdown: refusing requests stamped before this start",
                metadata: ["start": "\(start)"])
        }
        let notifier = api.notifier
        try await withGracefulShutdownHandler {
            try await application.run()
        } onGracefulShutdown: {
            notifier.shutDown()
        }
        try await api.store.saveNonces(api.authenticator.nonces.snapshot(now: configuration.clock()))
    }
}
