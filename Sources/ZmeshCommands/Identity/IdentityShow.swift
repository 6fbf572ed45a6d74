public import ArgumentParser
import ZmeshCrypto

/// `zmesh identity show FILE`: the id and public key of an identity file.
public struct IdentityShow: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "show",
        abstract: "Print the id and public key of an identity file.",
        discussion: "The file must not be accessible by group or others (chmod 600).")

    @Argument(help: "The identity file.")
    public var file: String

    public init() {}

    public func run() throws {
        let identity = try IdentityFile.load(from: file)
        CommandOutput.write(IdentityCommand.summary(identity))
    }
}
