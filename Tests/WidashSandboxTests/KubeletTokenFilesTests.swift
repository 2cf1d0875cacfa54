import Foundation
@testable import WidashSandbox
import XCTest

/// The kubelet's projected-token refresh rule (token_manager.go `requiresRefresh`: older than 80 %
/// of the TTL or 24 h), the file content it implies over time, and what a lost kubelet leaves.
final class KubeletTokenFilesTests: XCTestCase {
    func testRefreshIsDueAt80PercentOfTheTTL() {
        // 3600 s: 20 % is 720 s, so due after 2880 s (strictly after: Go's now.After).
        XCTAssertFalse(KubeletTokenRotation.requiresRefresh(now: 2880, issuedAt: 0, expirationSeconds: 3600))
        XCTAssertTrue(KubeletTokenRotation.requiresRefresh(now: 2881, issuedAt: 0, expirationSeconds: 3600))
        // kube-api-access's 3607 s: integer 20 % is 721 s.
        XCTAssertFalse(KubeletTokenRotation.requiresRefresh(now: 2886, issuedAt: 0, expirationSeconds: 3607))
        XCTAssertTrue(KubeletTokenRotation.requiresRefresh(now: 2887, issuedAt: 0, expirationSeconds: 3607))
        XCTAssertEqual(KubeletTokenRotation.refreshDueAge(expirationSeconds: 86400), 69120, "IRSA's 24 h: 80 % comes first")
        // The jitter is subtracted from the threshold.
        XCTAssertTrue(KubeletTokenRotation.requiresRefresh(now: 2875, issuedAt: 0, expirationSeconds: 3600, jitter: 10))
    }

    func testRefreshIsDueAt24HoursForLongTTLs() {
        let week = 7 * 86400
        XCTAssertEqual(KubeletTokenRotation.refreshDueAge(expirationSeconds: week), 86400)
        XCTAssertFalse(KubeletTokenRotation.requiresRefresh(now: 86400, issuedAt: 0, expirationSeconds: week))
        XCTAssertTrue(KubeletTokenRotation.requiresRefresh(now: 86401, issuedAt: 0, expirationSeconds: week))
    }

    func testATokenFromTheFutureIsRefreshed() {
        XCTAssertTrue(KubeletTokenRotation.requiresRefresh(now: 99, issuedAt: 100, expirationSeconds: 3600))
    }

    func testTheFileHoldsTheTokenOfTheLastRefresh() {
        let start = 1_000_000
        func issued(at time: Int, lastContact: Int? = nil, ttl: Int = 3600) -> Int {
            KubeletTokenRotation.issuedAt(podStart: start, lastContact: lastContact, at: time, expirationSeconds: ttl)
        }
        XCTAssertEqual(issued(at: start), start, "minted when the pod's volume was set up")
        XCTAssertEqual(issued(at: start + 2880), start, "not yet due")
        XCTAssertEqual(issued(at: start + 2881), start + 2881, "refreshed at the first second it was due")
        XCTAssertEqual(issued(at: start + 2 * 2881 + 5), start + 2 * 2881)
        // At every instant the file's token is one the kubelet would not refresh yet, and never expired.
        for time in stride(from: start, to: start + 5 * 86400, by: 997) {
            let iat = issued(at: time)
            XCTAssertFalse(KubeletTokenRotation.requiresRefresh(now: time, issuedAt: iat, expirationSeconds: 3600), "at \(time - start)")
            XCTAssertLessThan(time, iat + 3600)
        }
        // Long TTLs: the 24 h rule.
        XCTAssertEqual(issued(at: start + 86401, ttl: 7 * 86400), start + 86401)
    }

    func testAKubeletThatLostContactLeavesTheLastTokenToExpire() {
        let start = 1_000_000
        let lost = start + 4000  // after the first refresh (start + 2881), before the second is due
        let now = start + 9000
        let iat = KubeletTokenRotation.issuedAt(podStart: start, lastContact: lost, at: now, expirationSeconds: 3600)
        XCTAssertEqual(iat, start + 2881)
        XCTAssertEqual(KubeletTokenRotation.refreshDue(issuedAt: iat, expirationSeconds: 3600), start + 2881 + 2880)
        XCTAssertGreaterThan(now, iat + 3600, "expired: nothing replaced it")
        // Contact lost before the pod started: the volume's first token is all there is.
        XCTAssertEqual(KubeletTokenRotation.issuedAt(podStart: start, lastContact: start - 10, at: now, expirationSeconds: 3600), start)
    }

    func testTheDemoScenarioTimesGiveTheAdvertisedStaleToken() {
        // DemoScenario.StaleTokenNode: pod started 122 min before, kubelet lost 50 min before.
        let now = 10_000_000
        let start = now - Int(DemoScenario.StaleTokenNode.podStartedBefore)
        let lost = now - Int(DemoScenario.StaleTokenNode.kubeletLastContactBefore)
        let iat = KubeletTokenRotation.issuedAt(podStart: start, lastContact: lost, at: now, expirationSeconds: 3600)
        XCTAssertEqual(now - iat, 74 * 60 - 1, "refreshed about 74 min before")
        XCTAssertEqual(now - KubeletTokenRotation.refreshDue(issuedAt: iat, expirationSeconds: 3600), 26 * 60 - 1, "refresh due about 26 min before")
        XCTAssertEqual(now - (iat + 3600), 14 * 60 - 1, "expired about 14 min before")
        // The same pod on a healthy node would hold a valid token.
        let healthy = KubeletTokenRotation.issuedAt(podStart: start, lastContact: nil, at: now, expirationSeconds: 3600)
        XCTAssertGreaterThan(healthy + 3600, now)
    }

    func testNodeFactsReadTheKubeletsLastContactFromTheReadyCondition() throws {
        let created = Date(timeIntervalSince1970: 1_700_000_000)
        let lost = Date(timeIntervalSince1970: 1_700_050_000)
        let stale = DemoScenario.makeNode(name: "n", ip: "10.0.0.1", index: 0, created: created,
                                          lostContact: (lost, lost.addingTimeInterval(50)))
        let healthy = DemoScenario.makeNode(name: "m", ip: "10.0.0.2", index: 1, created: created)
        let decoder = JSONDecoder()
        XCTAssertEqual(try decoder.decode(NodeFacts.self, from: JSONEncoder().encode(stale)).kubeletLastContact, lost)
        XCTAssertNil(try decoder.decode(NodeFacts.self, from: JSONEncoder().encode(healthy)).kubeletLastContact)
    }

    func testExecStatusJSONIsTheAPIServersBytes() {
        XCTAssertEqual(String(decoding: KubeAPI.execStatusJSON(.exited(0)), as: UTF8.self), #"{"metadata":{},"status":"Success"}"#)
        XCTAssertEqual(String(decoding: KubeAPI.execStatusJSON(.exited(1)), as: UTF8.self),
                       #"{"metadata":{},"status":"Failure","message":"command terminated with non-zero exit code: command terminated with exit code 1","reason":"NonZeroExitCode","details":{"causes":[{"reason":"ExitCode","message":"1"}]}}"#)
    }

    func testExecOptionsParseRepeatedCommandsAndGoBooleans() {
        let options = KubeAPI.ExecOptions(rawQuery: "command=cat&command=%2Fvar%2Frun%2Fa+b&container=app&stderr=true&stdout=1")
        XCTAssertEqual(options.command, ["cat", "/var/run/a b"])
        XCTAssertEqual(options.container, "app")
        XCTAssertTrue(options.stdout && options.stderr)
        XCTAssertFalse(options.stdin || options.tty)
    }

    func testTheContainerFileSystemFollowsTheAtomicWriterLayout() {
        var fs = ContainerFileSystem()
        fs.mount(.init(files: ["token/azure-identity-token": Data("jwt".utf8)], writtenAt: 1_700_000_000), at: "/var/run/secrets/azure/wi")
        XCTAssertEqual(fs.resolve("/var/run/secrets/azure/wi/token/azure-identity-token"), .file(Data("jwt".utf8)))
        XCTAssertEqual(fs.resolve("/var/run/secrets/azure/wi/..data/token/azure-identity-token"), .file(Data("jwt".utf8)))
        XCTAssertEqual(fs.resolve("/var/run/secrets/azure/wi/token/../token/./azure-identity-token"), .file(Data("jwt".utf8)))
        XCTAssertEqual(fs.resolve("/var/run/secrets/azure/tokens/azure-identity-token"), .missing)
        let listing = ExecCommands.run(["ls", "-a", "/var/run/secrets/azure/wi"], in: fs, now: Date())
        let lines = String(decoding: listing.stdout, as: UTF8.self).split(separator: "\n").map(String.init)
        XCTAssertEqual(lines.count, 5, "\(lines)")
        XCTAssertEqual(Array(lines.prefix(2)), [".", ".."])
        XCTAssertTrue(lines.count > 2 && lines[2].hasPrefix("..2023_11_14_22_13_20."), "\(lines)")
        XCTAssertEqual(Array(lines.suffix(2)), ["..data", "token"])
        let missing = ExecCommands.run(["cat", "/nope", "/var/run/secrets/azure/wi/token/azure-identity-token"], in: fs, now: Date())
        XCTAssertEqual(missing.stdout, Data("jwt".utf8))
        XCTAssertEqual(String(decoding: missing.stderr, as: UTF8.self), "cat: /nope: No such file or directory\n")
        XCTAssertEqual(missing.ending, .exited(1))
        XCTAssertEqual(ExecCommands.run(["head", "-c", "2", "/var/run/secrets/azure/wi/token/azure-identity-token"], in: fs, now: Date()).stdout,
                       Data("jw".utf8))
        XCTAssertEqual(ExecCommands.run(["sh", "-c", "true"], in: fs, now: Date()).ending,
                       .startFailed("exec: \"sh\": executable file not found in $PATH"))
        XCTAssertEqual(String(decoding: ExecCommands.run(["date"], in: fs, now: Date(timeIntervalSince1970: 1_700_000_000)).stdout, as: UTF8.self),
                       "Tue Nov 14 22:13:20 UTC 2023\n")
    }
}
