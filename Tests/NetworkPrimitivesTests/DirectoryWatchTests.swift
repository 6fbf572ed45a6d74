import SystemSupport
import Testing
import ZmeshTestSupport

#if canImport(Glibc)
import Glibc
#endif

/// `DirectoryWatch`: what the node agent uses to hear that a named namespace was deleted.
@Suite struct DirectoryWatchTests {
    @Test("a removed file is reported by name; a created one is not; stop ends the stream")
    func removalsAreReported() async throws {
        let directory = try TemporaryDirectory(prefix: "zmesh-dirwatch")
        defer { directory.remove() }
        for name in ["n-kept", "n-gone"] {
            try FileIO.writeFile("", to: "\(directory.path)/\(name)")
        }
        let watch = try DirectoryWatch(directory: directory.path)
        try FileIO.writeFile("", to: "\(directory.path)/n-new")
        #expect(unlink("\(directory.path)/n-gone") == 0)
        #expect(rename("\(directory.path)/n-new", "\(directory.path)/n-renamed") == 0)
        var seen: [String] = []
        for await name in watch.removals {
            seen.append(name)
            if seen.count == 2 { break }
        }
        // The rename leaves n-new (IN_MOVED_FROM); creations are not removals.
        #expect(seen == ["n-gone", "n-new"])
        watch.stop()
        var after: [String] = []
        for await name in watch.removals { after.append(name) }
        #expect(after.isEmpty)
    }

    @Test("a directory that does not exist is an error naming it")
    func missingDirectory() {
        #expect {
            _ = try DirectoryWatch(directory: "/nonexistent/zmesh-dirwatch")
        } throws: { error in
            "\(error)".contains("/nonexistent/zmesh-dirwatch")
        }
    }
}
