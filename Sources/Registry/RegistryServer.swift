public import Hummingbird
public import Logging
import NIOCore

/// Builds the registry's HTTP application: the `/v1` routes over a store.
public enum RegistryServer {
    /// The application (a swift-service-lifecycle `Service`): run it in a `ServiceGroup` for graceful shutdown.
    /// `onRunning` receives the bound port once the server listens.
    public static func application(
        store: any RegistryStore, configuration: RegistryConfiguration, logger: Logger,
        onRunning: @escaping @Sendable (Int) async -> Void = { _ in }
    ) -> some ApplicationProtocol {
        let api = RegistryAPI(store: store, configuration: configuration, logger: logger)
        let router = Router()
        api.register(on: router)
        return Application(
            router: router,
            configuration: ApplicationConfiguration(
                address: .hostname(configuration.host, port: configuration.port), serverName: "zmesh-registry"),
            onServerRunning: { channel in await onRunning(channel.localAddress?.port ?? 0) },
            logger: logger)
    }
}
