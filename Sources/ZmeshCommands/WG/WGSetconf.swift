public import ArgumentParser
import WireGuardNL
public import ZmeshModel

/// `zmesh wg setconf INTERFACE FILE`: makes the device exactly what the file says — peers replaced,
/// and private key, listen port and fwmark reset when the file leaves them out (as `wg setconf`).
public struct WGSetconf: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "setconf", abstract: "Applies a configuration file to a WireGuard interface.")

    @ParentCommand var wg: WGCommand
    @OptionGroup var arguments: WGConfigFileArguments

    public init() {}

    public func run() throws { try arguments.run(.replace, options: wg.options) }
}

/// `zmesh wg addconf INTERFACE FILE`: adds and updates what the file gives, keeping everything else
/// (as `wg addconf`: the listed peers' allowed IPs are replaced by the file's).
public struct WGAddconf: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "addconf", abstract: "Appends a configuration file to a WireGuard interface.")

    @ParentCommand var wg: WGCommand
    @OptionGroup var arguments: WGConfigFileArguments

    public init() {}

    public func run() throws { try arguments.run(.add, options: wg.options) }
}

/// `zmesh wg syncconf INTERFACE FILE`: converges the device to the file, sending only the difference
/// (removed, added and changed peers), so untouched peers keep their sessions. Unlike `wg syncconf`,
/// a file without `ListenPort` keeps the current port instead of picking a random one.
public struct WGSyncconf: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "syncconf", abstract: "Synchronizes a configuration file to a WireGuard interface.")

    @ParentCommand var wg: WGCommand
    @OptionGroup var arguments: WGConfigFileArguments

    public init() {}

    public func run() throws { try arguments.run(.sync, options: wg.options) }
}

/// The arguments of `setconf`, `addconf` and `syncconf`, and what they do.
public struct WGConfigFileArguments: ParsableArguments {
    @Argument(help: "The WireGuard interface.", transform: { try InterfaceName($0) })
    public var interface: InterfaceName

    @Argument(help: ArgumentHelp("A configuration file in wg(8)'s format.", valueName: "configuration-file"))
    public var file: String

    public init() {}

    enum Mode { case replace, add, sync }

    func run(_ mode: Mode, options: WGOptions) throws {
        let bytes: [UInt8]
        do { bytes = try WGIO.readFile(file, limit: 64 << 20, what: "configuration file") } catch {
            throw WGCommandError("interface '\(interface)': \(error)")
        }
        let text = String(decoding: bytes, as: UTF8.self)
        let devices = options.devices()
        try WGOutput.run { output in try execute(mode, text: text, on: devices, output: &output) }
    }

    /// Parses `text` (the file's contents) and applies it; nothing is sent when the file has any error.
    func execute(_ mode: Mode, text: String, on devices: some WGDeviceAccess, output: inout WGOutput) throws {
        var warnings: [WireGuardConfigDiagnostic] = []
        let parsed: WireGuardConfigFile
        do {
            parsed = try WireGuardConfigFile(parsing: text, warnings: &warnings)
        } catch {
            throw WGCommandError(
                "configuration file '\(file)' for interface '\(interface)' refused, nothing was changed:\n"
                    + error.diagnostics.map { "  \(file):\($0.line): \($0.message)" }.joined(separator: "\n"))
        }
        for warning in warnings { output.standardError += "Warning: \(file):\(warning.line): \(warning.message)\n" }
        switch mode {
        case .replace:
            let configuration = parsed.configuration
            do { try configuration.validate() } catch {
                throw WireGuardError.invalidConfiguration(interface: interface, error)
            }
            try devices.set(interface, DeviceUpdate(replacingWith: configuration))
        case .add:
            try devices.set(interface, parsed.additiveUpdate)
        case .sync:
            try devices.apply(parsed.configuration, to: interface)
        }
    }
}
