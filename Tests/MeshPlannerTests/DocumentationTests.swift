import MeshPlanner
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// The worked example of `docs/mesh-planner.md`: its spec, planned now, must print exactly what the
/// document shows.
@Suite struct DocumentationTests {
    /// The fenced code blocks of the document: info string and text.
    static func blocks() throws -> [(info: String, text: String)] {
        let path = String(#filePath.split(separator: "/").dropLast(3).joined(separator: "/"))
        let text = try #require(read("/" + path + "/docs/mesh-planner.md"))
        var blocks: [(String, String)] = []
        var current: (info: String, lines: [Substring])?
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix("```") {
                if let open = current {
                    blocks.append((open.info, open.lines.joined(separator: "\n") + "\n"))
                    current = nil
                } else {
                    current = (String(line.dropFirst(3)), [])
                }
            } else {
                current?.lines.append(line)
            }
        }
        return blocks
    }

    static func read(_ path: String) -> String? {
        guard let file = fopen(path, "r") else { return nil }
        defer { fclose(file) }
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = fread(&buffer, 1, buffer.count, file)
            if n <= 0 { break }
            bytes += buffer[0..<n]
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// The output shown after `$ command` in the document.
    static func output(of command: String, in blocks: [(info: String, text: String)]) throws -> String {
        let block = try #require(blocks.first { $0.text.hasPrefix("$ \(command)\n") })
        return String(block.text.dropFirst(command.count + 3))
    }

    @Test func theWorkedExampleIsWhatThePlannerPrints() throws {
        let blocks = try Self.blocks()
        let specText = try #require(blocks.first { $0.info == "json" }?.text)
        let spec = try NetworkSpecFile(json: Array(specText.utf8)).spec
        let plan = try NetworkPlanner.plan(spec)
        #expect(
            plan.text(peers: false) == (try Self.output(of: "zmesh network plan office.json --summary", in: blocks)))
        #expect(
            plan.accessFile("alice-laptop")
                == (try Self.output(of: "zmesh network access office.json alice-laptop", in: blocks)))
        #expect(Fixtures.problems(plan, spec) == [])
    }
}
