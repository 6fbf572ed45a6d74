public import ArgumentParser

/// `zmesh wg …`: wireguard-tools' interface over WireGuardNL.
public struct WGCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "wg",
        abstract: "Inspect and configure WireGuard interfaces, like wireguard-tools' wg(8).",
        subcommands: [])

    public init() {}
}
