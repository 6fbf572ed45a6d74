import Testing
import ZmeshTestSupport

/// The fixture command runner: each stream captured whole, whatever order and size the child
/// writes them in (reading one pipe to its end before the other used to deadlock past 64 KiB).
@Suite("The fixture command runner itself")
struct ShellCommandTests {
    /// 300 KB on standard error first, then 300 KB on standard output.
    @Test(.timeLimit(.minutes(1))) func streamsLargerThanAPipeBufferInEitherOrder() throws {
        let output = try ShellCommand.run(["sh", "-c", "yes e | head -c 300000 >&2; yes o | head -c 300000"])
        #expect(output.utf8.count == 300_000)
        #expect(output.hasPrefix("o\no\n"))

        let failure = #expect(throws: ShellCommand.Failure.self) {
            try ShellCommand.run(["sh", "-c", "yes o | head -c 300000; yes e | head -c 300000 >&2; exit 3"])
        }
        #expect(failure?.status == 3)
        #expect(failure?.output.utf8.count == 300_000)
        #expect(failure?.errorOutput.utf8.count == 300_000)
        #expect(failure?.errorOutput.hasPrefix("e\ne\n") == true)
    }

    @Test func missingCommandsAndExitStatus() throws {
        #expect(ShellCommand.locate("sh") != nil)
        #expect(ShellCommand.locate("zmesh-no-such-tool") == nil)
        #expect(!ShellCommand.succeeds(["zmesh-no-such-tool"]))
        #expect(ShellCommand.succeeds(["true"]))
        #expect(!ShellCommand.succeeds(["false"]))
        #expect(try ShellCommand.run(["printf", "a\\nb"]) == "a\nb")
    }
}
