public import ArgumentParser
import RegistryClient
import ZmeshCrypto

/// `zmesh node farm-create NAME --identity PATH --registry URL`.
public struct FarmCreate: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "farm-create",
        abstract: "Create a farm (a group of nodes run by one operator); prints its number.")

    @Argument(help: "The farm's name.")
    public var name: String

    @Option(help: "The farmer's identity file (mode 0600): a registered twin.")
    public var identity: String

    @OptionGroup public var registry: RegistryOptions

    public init() {}

    public func run() async throws {
        let farmer = try IdentityFile.load(from: identity)
        let client = try registry.client(signingAs: farmer)
        let farm: Farm
        do { farm = try await client.createFarm(name: name).record } catch { throw CommandError(error) }
        CommandOutput.write("farm \(farm.id) '\(farm.name)' created, owned by \(farm.owner)\n")
    }
}
