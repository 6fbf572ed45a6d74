// zmesh-kernel-checks: WireGuardNL against a real kernel WireGuard, run as the init of a QEMU guest
// booting a stock Debian kernel (integration/vm/run.sh). Each check prints PASS or FAIL; the last line
// is "N passed, M failed" and the exit status is non-zero when anything failed.

import Foundation
import WireGuardNL

let all: [Check] = LinkChecks.all + SelftestChecks.all + KeyChecks.all + SplitChecks.all + DifferentialChecks.all
    + NodeAgentChecks.all
let filter = CommandLine.arguments.dropFirst().first
var passed = 0
var failed = 0
guard KernelBackend.isAvailable() else {
    print("FAIL kernel: the wireguard generic netlink family does not resolve")
    print("0 passed, 1 failed")
    exit(1)
}
for check in all where filter == nil || check.name.contains(filter!) {
    let started = Date()
    do {
        try check.body()
        passed += 1
        print("PASS \(check.name) (\(String(format: "%.2f", Date().timeIntervalSince(started))) s)")
    } catch {
        failed += 1
        print("FAIL \(check.name): \(error)")
    }
    Shell.cleanUp()
}
print("\(passed) passed, \(failed) failed")
exit(failed == 0 ? 0 : 1)
