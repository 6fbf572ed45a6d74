public import WireGuardNL
public import ZmeshModel

/// What the `zmesh wg` verbs need from WireGuard: ``WGClientDevices`` in the binary, an in-memory
/// fake in tests. Calls block; one caller at a time.
public protocol WGDeviceAccess: AnyObject {
    /// The WireGuard interfaces, in the order `wg show all` lists them.
    func interfaceNames() throws(WireGuardError) -> [InterfaceName]

    /// Reads a device; a device with a private key also has its public key.
    func device(_ name: InterfaceName) throws(WireGuardError) -> DeviceStatus

    /// Sends one update.
    func set(_ name: InterfaceName, _ update: DeviceUpdate) throws(WireGuardError)

    /// Converges the device to `desired` with the smallest update; returns what was sent.
    @discardableResult
    func apply(_ desired: DeviceConfiguration, to name: InterfaceName) throws(WireGuardError) -> DeviceUpdate?
}
