public import ArgumentParser
public import ZmeshModel

/// `zmesh wg set INTERFACE [listen-port P] [fwmark M] [private-key FILE] [peer KEY [remove]
/// [preshared-key FILE] [endpoint IP:PORT] [persistent-keepalive N|off] [allowed-ips P1,P2…]]…`:
/// changes only what is given, as `wg set` does (`allowed-ips` replaces the peer's list).
public struct WGSet: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "set",
        abstract: "Change the current configuration, add peers, remove peers, or change peers.",
        discussion: """
            Arguments: [listen-port <port>] [fwmark <mark>] [private-key <file path>] \
            [peer <base64 public key> [remove] [preshared-key <file path>] [endpoint <ip>:<port>] \
            [persistent-keepalive <interval seconds>] [allowed-ips <ip1>/<cidr1>[,<ip2>/<cidr2>]...] ]... \
            Endpoints must be literal addresses. A key file that is empty (such as /dev/null) removes the key.
            """)

    @ParentCommand var wg: WGCommand

    @Argument(help: "The WireGuard interface.", transform: { try InterfaceName($0) })
    public var interface: InterfaceName

    @Argument(parsing: .captureForPassthrough, help: ArgumentHelp("Settings, as for wg set.", valueName: "setting"))
    public var settings: [String] = []

    public init() {}

    public mutating func validate() throws {
        do { _ = try WGSetArguments(parsing: settings) } catch {
            throw ValidationError("interface '\(interface)': \(error)")
        }
    }

    public func run() throws {
        let devices = wg.options.devices()
        try WGOutput.run { output in
            try execute(on: devices, output: &output) { (path, what) throws(WGCommandError) in
                try WGKeyFile.read(path, what: what)
            }
        }
    }

    /// Parses, reads key files (all before anything is sent), then sends one update.
    func execute(
        on devices: some WGDeviceAccess, output: inout WGOutput,
        readKey: (String, String) throws(WGCommandError) -> WireGuardKey
    ) throws {
        let arguments: WGSetArguments
        let update: DeviceUpdate
        do {
            arguments = try WGSetArguments(parsing: settings)
            update = try arguments.update(readingKeysWith: readKey)
        } catch {
            throw WGCommandError("interface '\(interface)': \(error)")
        }
        for warning in arguments.warnings { output.standardError += "Warning: \(warning)\n" }
        try devices.set(interface, update)
    }
}
