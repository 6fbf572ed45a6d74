import Hummingbird
public import Logging
import NIOCore
public import ServiceLifecycle

/// Builds the registry's HTTP service: the `/v1` routes over a store.
public enum RegistryServer {
    /// The registry as a swift-service-lifecycle `Service`: run it in a `ServiceGroup` for graceful shutdown.
    /// `onRunning` receives the bound port once the server listens.
    public static func service(
        store: any RegistryStore, configuration: RegistryConfiguration, logger: Logger,
        onRunning: @escaping @Sendable (Int) async -> Void = { _ in }
    ) -> some Service {
        let api = RegistryAPI(store: store, configuration: configuration, logger: logger)
        let router = Router()
        api.register(on: router)
        let application = Application(
            router: router,
            configuration: ApplicationConfiguration(
                address: .hostname(configuration.host, port: configuration.port), serverName: "zmesh-registry"),
            onServerRunning: { channel in await onRunning(channel.localAddress?.port ?? 0) },
            logger: logger)
        return RegistryService(application: application, notifier: api.notifier)
    }
}

/// The HTTP application plus what graceful shutdown needs beyond it: waiting long-polls are answered at
/// once (with what they have) instead of holding the shutdown until their `wait` runs out.
struct RegistryService<App: ApplicationProtocol>: Service {
    let application: App
    let notifier: MailboxNotifier

    func run() async throws {
        try await withGracefulShutdownHandler {
            try await application.run()
        } onGracefulShutdown: {
            notifier.shutDown()
        }
    }
}
