import Foundation
import NIOHTTP1
import Logging
import Registry
import RegistryProtocol
import Testing
import ZmeshCrypto
import DeploymentTestSupport
import RegistryTestSupport

/// A request captured before a restart cannot be replayed after it, whether the registry stopped cleanly
/// (nonces saved and restored) or not (timestamps before the new start refused).
@Suite struct ReplayAcrossRestartTests {
    @Test func replayAfterCleanRestartIsRefused() async throws {
        let path = TestRegistry.temporaryDatabasePath()
        defer { TestRegistry.removeDatabase(at: path) }
        var registry = try await TestRegistry.start(databasePath: path)
        let farm = try await registry.farm()
        let body = TestRegistry.nodeBody(Fixtures.node1, farm: farm)
        let nonce = RequestSigning.randomNonce()
        let timestamp = Int64(Date().timeIntervalSince1970)
        #expect(try await registry.send(.POST, "/v1/nodes", body: body, signer: Fixtures.node1, timestamp: timestamp, nonce: nonce).status == 201)
        try await registry.stop()

        registry = try await TestRegistry.start(databasePath: path)
        do {
            let replay = try await registry.send(.POST, "/v1/nodes", body: body, signer: Fixtures.node1, timestamp: timestamp, nonce: nonce)
            #expect(replay.status == 401)
            #expect(replay.errorCode == "replayed_nonce")
            // Fresh requests still work, old timestamps included (a clean restart sets no floor).
            #expect(try await registry.send(
                .POST, "/v1/nodes", body: body, signer: Fixtures.node1, timestamp: timestamp - 10).status == 200)
        } catch {
            try? await registry.stop()
            throw error
        }
        try await registry.stop()
    }

    @Test func replayAfterUncleanStopIsRefusedByTheStartFloor() async throws {
        let path = TestRegistry.temporaryDatabasePath()
        defer { TestRegistry.removeDatabase(at: path) }
        var registry = try await TestRegistry.start(databasePath: path)
        let farm = try await registry.farm()
        let body = TestRegistry.nodeBody(Fixtures.node1, farm: farm)
        let nonce = RequestSigning.randomNonce()
        // A new database has no saved nonces either, so timestamps before this start are refused already.
        let timestamp = Int64(Date().timeIntervalSince1970)
        #expect(try await registry.send(.POST, "/v1/nodes", body: body, signer: Fixtures.node1, timestamp: timestamp, nonce: nonce).status == 201)
        try await registry.stop()
        // The next start is in a later second than the captured request.
        try await Task.sleep(for: .milliseconds(1100))
        // What a crash leaves: no clean-shutdown mark (taking the saved nonces clears it).
        let store = try await SQLRegistryStore.openSQLite(path: path, logger: Logger(label: "test"))
        #expect(try await store.restoreNonces(now: Int64(Date().timeIntervalSince1970)) != nil)
        #expect(try await store.restoreNonces(now: Int64(Date().timeIntervalSince1970)) == nil)
        try await store.close()

        registry = try await TestRegistry.start(databasePath: path)
        do {
            let replay = try await registry.send(.POST, "/v1/nodes", body: body, signer: Fixtures.node1, timestamp: timestamp, nonce: nonce)
            #expect(replay.status == 401)
            #expect(replay.errorCode == "stale_timestamp")
            #expect(try await registry.send(.POST, "/v1/nodes", body: body, signer: Fixtures.node1).status == 200)
        } catch {
            try? await registry.stop()
            throw error
        }
        try await registry.stop()
    }
}
