#if canImport(Glibc)
import Glibc
#endif

/// Runs clean-up when the process is told to stop (SIGINT, SIGTERM, SIGHUP), so a command killed
/// half-way still removes the namespaces and processes it made.
///
/// A process-wide handler (whichever thread the signal lands on — Swift concurrency runs commands on
/// pool threads, so blocking signals in one thread is not enough) writes the signal number to a pipe;
/// a thread of its own reads it, runs `cleanUp`, and ends the process with 128 + the signal number.
/// Children spawned with ``SpawnedProcess`` start with default dispositions, unaffected.
public enum TerminationSignals {
    public static let handled: [Int32] = [SIGINT, SIGTERM, SIGHUP]

    public static func install(_ cleanUp: @escaping @Sendable () -> Void) throws(SystemError) {
        let (readEnd, writeEnd) = try Descriptors.pipe("termination signals")
        signalPipe = writeEnd
        _ = try WorkerThread {
            var signal: UInt8 = 0
            while read(readEnd, &signal, 1) != 1 {}
            cleanUp()
            _exit(128 + Int32(signal))
        }
        var action = sigaction()
        action.__sigaction_handler.sa_handler = { signal in
            var byte = UInt8(truncatingIfNeeded: signal)
            _ = write(signalPipe, &byte, 1)
        }
        sigemptyset(&action.sa_mask)
        action.sa_flags = SA_RESTART
        for signal in handled {
            try systemCall("install handler for", "signal \(signal)") { sigaction(signal, &action, nil) }
        }
    }
}

/// The write end the signal handler reports to: set once before the handler is installed, then only read.
nonisolated(unsafe) private var signalPipe: Int32 = -1
