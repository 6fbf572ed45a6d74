public import ArgumentParser
public import ZmeshModel

/// `zmesh wg showconf INTERFACE`: the device as a configuration file, as `wg showconf` prints it.
public struct WGShowconf: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "showconf",
        abstract: "Shows the current configuration of a given WireGuard interface, for use with `setconf'.",
        discussion: "The output includes the interface's private key.")

    @ParentCommand var wg: WGCommand

    @Argument(help: "The WireGuard interface.", transform: { try InterfaceName($0) })
    public var interface: InterfaceName

    public init() {}

    public func run() throws {
        let devices = wg.options.devices()
        try WGOutput.run { output in try execute(on: devices, output: &output) }
    }

    func execute(on devices: some WGDeviceAccess, output: inout WGOutput) throws {
        let device = try devices.device(interface)
        output.standardOutput += WireGuardShowFormatter(scopeName: { WGIO.interfaceName(index: $0) }).showconf(device)
    }
}
