import Foundation
import WidashSandbox

// The protobuf pages `widash-bench decode` measures are the generated JSON pages in the sandbox's
// own protobuf encoding (WidashSandbox's KubeProtobufEncoding, the one the sandbox serves lists
// with), so the bench and the served lists cannot drift apart. Generation time is not measured.

extension PageFiles {
    var protobufPodPages: String { directory + "/pods.pb.pages" }
    var protobufServiceAccountPages: String { directory + "/serviceaccounts.pb.pages" }

    /// Encodes the JSON page files to protobuf ones next to them, unless they are there already
    /// for the same JSON pages and the same encoder.
    func materialiseProtobuf() throws {
        let stamp = directory + "/pages.pb.txt"
        let description = ((try? String(contentsOfFile: directory + "/pages.txt", encoding: .utf8)) ?? "?") + " protobuf sandbox-encoder v1"
        if (try? String(contentsOfFile: stamp, encoding: .utf8)) == description { return }
        let start = ProcessStats.monotonicSeconds()
        for (json, protobuf, kind) in [(podPages, protobufPodPages, "Pod"), (serviceAccountPages, protobufServiceAccountPages, "ServiceAccount")] {
            var pages: [[UInt8]] = []
            try PageFile.forEachPage(at: json) { page in pages.append([UInt8](try KubeProtobufEncoding.listFromJSON(page, itemKind: kind))) }
            try PageFile.write(pages, to: protobuf)
        }
        try description.write(toFile: stamp, atomically: true, encoding: .utf8)
        print("encoded pages to protobuf in \(Format.seconds(ProcessStats.monotonicSeconds() - start))")
    }
}
