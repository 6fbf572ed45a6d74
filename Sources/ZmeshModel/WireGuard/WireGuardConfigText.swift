/// The WireGuard configuration-file format in both directions, for callers that just need text:
/// `render` writes what `wg showconf` would print for a device configured so, `parse` reads a file.
public enum WireGuardConfigText {
    /// The configuration as a `wg setconf` file (private key included).
    public static func render(_ configuration: DeviceConfiguration) -> String {
        WireGuardShowFormatter().configurationText(configuration)
    }

    /// Parses a `wg setconf` file; see ``WireGuardConfigFile/init(parsing:)``.
    public static func parse(_ text: some StringProtocol) throws(WireGuardConfigErrors) -> WireGuardConfigFile {
        try WireGuardConfigFile(parsing: text)
    }
}
