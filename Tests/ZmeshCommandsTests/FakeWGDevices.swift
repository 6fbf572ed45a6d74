import WireGuardNL
@testable import ZmeshCommands
import ZmeshModel

/// In-memory WireGuard devices that record every update, for testing the verbs without a kernel.
final class FakeWGDevices: WGDeviceAccess {
    var devices: [InterfaceName: DeviceStatus]
    var order: [InterfaceName]
    /// Devices whose reads fail (as for a device that vanished between listing and reading).
    var unreadable: Set<InterfaceName> = []
    private(set) var sets: [(InterfaceName, DeviceUpdate)] = []

    init(_ devices: [DeviceStatus]) {
        self.devices = Dictionary(devices.map { ($0.name, $0) }, uniquingKeysWith: { $1 })
        order = devices.map(\.name)
    }

    func interfaceNames() throws(WireGuardError) -> [InterfaceName] { order }

    func device(_ name: InterfaceName) throws(WireGuardError) -> DeviceStatus {
        if unreadable.contains(name) { throw .permissionDenied(operation: "read", interface: name) }
        guard let device = devices[name] else { throw .noSuchDevice(name) }
        return device
    }

    func set(_ name: InterfaceName, _ update: DeviceUpdate) throws(WireGuardError) {
        guard devices[name] != nil else { throw .noSuchDevice(name) }
        sets.append((name, update))
    }

    @discardableResult
    func apply(_ desired: DeviceConfiguration, to name: InterfaceName) throws(WireGuardError) -> DeviceUpdate? {
        do { try desired.validate() } catch { throw .invalidConfiguration(interface: name, error) }
        let update = DeviceUpdate(from: try device(name), to: desired)
        if update.isEmpty { return nil }
        try set(name, update)
        return update
    }
}
