public import ZmeshModel

/// A route a network resource needs in its namespace `n-<id>`, beyond the on-link routes of its
/// interface addresses.
public struct PlannedRoute: Sendable, Hashable, CustomStringConvertible {
    /// The destination prefix.
    public let destination: IPPrefix
    /// The interface the route points into.
    public let device: InterfaceName

    /// Memberwise.
    public init(destination: IPPrefix, device: InterfaceName) {
        self.destination = destination
        self.device = device
    }

    /// As `ip route` prints it: `10.20.0.0/16 dev w-…`.
    public var description: String { "\(destination) dev \(device)" }
}
