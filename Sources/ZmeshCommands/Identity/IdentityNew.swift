public import ArgumentParser
import ZmeshCrypto

/// `zmesh identity new FILE`: a new identity in a new file (mode 0600); prints its id and public key.
public struct IdentityNew: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "new",
        abstract: "Create a new identity file (mode 0600) and print the identity's id and public key.",
        discussion: "An existing file is never overwritten. The secret key is written to the file only.")

    @Argument(help: "The identity file to create.")
    public var file: String

    public init() {}

    public func run() throws {
        let identity = try IdentityFile.create(at: file)
        CommandOutput.write(IdentityCommand.summary(identity))
    }
}
