public import ArgumentParser

/// `zmesh wg …`: wireguard-tools' interface over WireGuardNL, printing what `wg` 1.0.20210914 prints.
public struct WGCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "wg",
        abstract: "Inspect and configure WireGuard interfaces, like wireguard-tools' wg(8).",
        subcommands: [
            WGShow.self, WGShowconf.self, WGSet.self, WGSetconf.self, WGAddconf.self, WGSyncconf.self,
            WGGenkey.self, WGGenpsk.self, WGPubkey.self,
        ],
        defaultSubcommand: WGShow.self)

    @OptionGroup public var options: WGOptions

    public init() {}
}
