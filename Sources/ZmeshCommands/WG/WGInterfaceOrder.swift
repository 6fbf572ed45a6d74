#if canImport(Glibc)
import Glibc
#endif
import ZmeshModel

/// The order `wg show all` lists interfaces in: kernel devices as the rtnetlink link dump returns them
/// (by interface index), then userspace devices as `readdir` returns their sockets.
enum WGInterfaceOrder {
    /// Reorders `names` (any order) into `wg`'s order. Names in neither group keep their order, last.
    static func arrange(
        _ names: [InterfaceName], socketDirectory: String, isUserspace: (InterfaceName) -> Bool
    ) -> [InterfaceName] {
        var kernel: [(index: UInt32, name: InterfaceName)] = []
        var userspace: Set<InterfaceName> = []
        for name in names {
            if isUserspace(name) {
                userspace.insert(name)
            } else {
                kernel.append((if_nametoindex(name.rawValue), name))
            }
        }
        var ordered = kernel.sorted { $0.index < $1.index }.map(\.name)
        for name in socketNamesInDirectoryOrder(socketDirectory) where userspace.remove(name) != nil {
            ordered.append(name)
        }
        ordered += names.filter { userspace.contains($0) }
        return ordered
    }

    /// `NAME` for each `NAME.sock` entry of `directory`, in `readdir` order.
    static func socketNamesInDirectoryOrder(_ directory: String) -> [InterfaceName] {
        guard let dir = opendir(directory) else { return [] }
        defer { closedir(dir) }
        var names: [InterfaceName] = []
        while let entry = readdir(dir) {
            let fileName = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            guard fileName.hasSuffix(".sock"), fileName.utf8.count > 5,
                let name = try? InterfaceName(fileName.dropLast(5))
            else { continue }
            names.append(name)
        }
        return names
    }
}
