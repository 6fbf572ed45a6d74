public import ArgumentParser
import WireGuardNL
import ZmeshModel

/// `zmesh wg show [INTERFACE | all | interfaces] [FIELD]`, printing what `wg show` prints.
public struct WGShow: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "show",
        abstract: "Shows the current configuration and device information.",
        discussion: """
            Without arguments, or with 'all', shows every WireGuard interface; 'interfaces' lists their names. \
            FIELD is one of: \(WireGuardShowField.allCases.map(\.rawValue).joined(separator: ", ")). \
            Colours are used when standard output is a terminal (WG_COLOR_MODE=always|never overrides); \
            keys stay hidden unless WG_HIDE_KEYS=never.
            """)

    @ParentCommand var wg: WGCommand

    @Argument(help: ArgumentHelp("An interface name, 'all' (the default) or 'interfaces'.", valueName: "interface"))
    public var target: String?

    @Argument(help: ArgumentHelp("Print only this field (or 'dump' for everything, tab-separated).", valueName: "field"))
    public var field: String?

    public init() {}

    /// What to show.
    enum Target: Equatable {
        case all
        case interfaces
        case one(InterfaceName)
    }

    public mutating func validate() throws {
        let target = try parsedTarget()
        _ = try parsedField()
        if target == .interfaces, field != nil {
            throw ValidationError("'interfaces' takes no field (got '\(field ?? "")')")
        }
    }

    public func run() throws {
        let devices = wg.options.devices()
        try WGOutput.run { output in try execute(on: devices, environment: .current, output: &output) }
    }

    /// The verb itself, over any devices; prints into `output`.
    func execute(on devices: some WGDeviceAccess, environment: WGShowEnvironment, output: inout WGOutput) throws {
        let field = try parsedField()
        let formatter = environment.formatter
        switch try parsedTarget() {
        case .interfaces:
            let names = try devices.interfaceNames()
            if !names.isEmpty { output.standardOutput += names.map(\.rawValue).joined(separator: " ") + "\n" }
        case .one(let name):
            let device = try devices.device(name)
            if let field {
                formatter.appendField(field, of: device, withInterface: false, to: &output.standardOutput)
            } else {
                formatter.appendPretty(device, now: environment.now, to: &output.standardOutput)
            }
        case .all:
            let names = try devices.interfaceNames()
            var shownAny = false
            for (index, name) in names.enumerated() {
                let device: DeviceStatus
                do { device = try devices.device(name) } catch {
                    output.standardError += "Unable to access interface \(name): \(error)\n"
                    continue
                }
                shownAny = true
                if let field {
                    formatter.appendField(field, of: device, withInterface: true, to: &output.standardOutput)
                } else {
                    formatter.appendPretty(device, now: environment.now, to: &output.standardOutput)
                    if index != names.count - 1 { output.standardOutput += "\n" }
                }
            }
            if !names.isEmpty, !shownAny { output.exitCode = 1 }
        }
    }

    func parsedTarget() throws -> Target {
        switch target {
        case nil, "all": return .all
        case "interfaces": return .interfaces
        case let name?:
            do { return .one(try InterfaceName(name)) } catch { throw ValidationError(error.description) }
        }
    }

    func parsedField() throws -> WireGuardShowField? {
        guard let field else { return nil }
        guard let parsed = WireGuardShowField(rawValue: field) else {
            throw ValidationError(
                "invalid field '\(field)'; expected one of: "
                    + WireGuardShowField.allCases.map(\.rawValue).joined(separator: ", "))
        }
        return parsed
    }
}

/// What `wg show` takes from its surroundings: the time, whether stdout is a terminal, environment
/// variables, interface names for IPv6 scopes.
struct WGShowEnvironment {
    var now: Int64
    var formatter: WireGuardShowFormatter

    /// The process's: `time(2)`, `isatty(1)` unless `WG_COLOR_MODE` says otherwise, `WG_HIDE_KEYS`.
    static var current: WGShowEnvironment {
        let colors: Bool
        switch WGIO.environment("WG_COLOR_MODE") {
        case "always": colors = true
        case "never": colors = false
        default: colors = WGIO.standardOutputIsTerminal
        }
        return WGShowEnvironment(
            now: WGIO.now(),
            formatter: WireGuardShowFormatter(
                colors: colors, revealKeys: WGIO.environment("WG_HIDE_KEYS") == "never",
                scopeName: { WGIO.interfaceName(index: $0) }))
    }
}
