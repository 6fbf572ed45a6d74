internal import CNLRoute
public import ZmeshModel

/// Reading links (`ip link show`).
extension RouteNetlink {
    /// Every link of the namespace, ordered by index.
    public func links() throws(RouteNLError) -> [Link] {
        try withConnection { (connection: borrowing Connection) throws(RouteNLError) -> [Link] in
            try connection.dumpLinks(for: "list")
        }.sorted { $0.index < $1.index }
    }

    /// `ip link show NAME`.
    ///
    /// - Throws: ``RouteNLError`` with `.noSuchDevice` when there is none.
    public func link(named name: InterfaceName) throws(RouteNLError) -> Link {
        try withConnection { (connection: borrowing Connection) throws(RouteNLError) -> Link in
            try connection.fetchLink(name, for: "show").link
        }
    }

    /// The link called `name`, or `nil` when there is none.
    public func linkIfPresent(named name: InterfaceName) throws(RouteNLError) -> Link? {
        do {
            return try link(named: name)
        } catch where error.code == .noSuchDevice {
            return nil
        }
    }
}
