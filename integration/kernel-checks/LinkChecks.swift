import RouteNL
import WireGuardNL
import ZmeshModel

/// Creating, listing and deleting WireGuard links, and the typed errors for missing or foreign ones.
enum LinkChecks {
    static let all = [
        Check(name: "link: create, list, read defaults, delete") {
            let backend = try kernelBackend()
            let link = try createLink("zmk0", backend: backend)
            try expect(try backend.interfaceNames().contains(link), "created link is not listed")
            let device = try backend.device(link)
            try expect(device.privateKey == nil && device.peers.isEmpty && device.fwmark == 0, "fresh device not empty: \(device)")
            try expect(device.interfaceIndex > 0, "no interface index")
            try backend.deleteInterface(link)
            Shell.links.removeAll()
            try expect(!(try backend.interfaceNames().contains(link)), "deleted link still listed")
        },
        Check(name: "link: typed errors for missing and non-WireGuard interfaces") {
            let backend = try kernelBackend()
            do {
                _ = try backend.device(name("zm-missing"))
                throw CheckFailure(description: "read of a missing interface succeeded")
            } catch WireGuardError.noSuchDevice(let n) {
                try expect(n.rawValue == "zm-missing", "wrong name in error")
            }
            do {
                _ = try backend.device(name("lo"))
                throw CheckFailure(description: "read of lo succeeded")
            } catch WireGuardError.notWireGuard(let n) {
                try expect(n.rawValue == "lo", "wrong name in error")
            }
            do {
                try backend.deleteInterface(name("lo"))
                throw CheckFailure(description: "deleting lo as a WireGuard link succeeded")
            } catch WireGuardError.notWireGuard {}
            let link = try createLink("zmk1", backend: backend)
            do {
                try backend.createInterface(link)
                throw CheckFailure(description: "creating an existing link succeeded")
            } catch WireGuardError.links(let error) {
                try expect(error.code == .exists, "expected EEXIST, got \(error)")
            }
        },
    ]
}
