import Foundation
import WidashCore

/// Evidence and claims as lines people can read and copy: JWT headers and claim sets one claim per
/// line (nested objects indented, times with their date and how far away they are), other values
/// wrapped at word boundaries. Every line carries the whole value it shows a part of, for `y`.
enum ReadableLines {
    /// Evidence items as `key  value` lines, the value wrapped under itself; a value that is a JSON
    /// object (a trace's `header`, `claims`) becomes an indented claims block below its key.
    static func evidence(_ evidence: Evidence, width: Int, now: Date) -> [StyledLine] {
        let keyWidth = min(24, evidence.items.map { CharWidth.of($0.key) }.max() ?? 0)
        var out: [StyledLine] = []
        for item in evidence.items {
            if let entries = ClaimLines.evidenceLines(item.value, now: now) {
                out.append(StyledLine(CharWidth.pad(item.key, to: keyWidth), .dim))
                out += claims(entries, indent: 2, width: width, group: item.key)
            } else {
                // Keys padded to the step's common width, as one keyValues call over all items would.
                out += Documents.keyValues([(CharWidth.pad(item.key, to: keyWidth), item.value)], indent: 0, width: width,
                                           maxKeyWidth: keyWidth).copying(item.value, as: item.key)
            }
        }
        return out
    }

    /// Claim lines indented by `indent` plus their own nesting; each line copies its claim's value
    /// (`claim kubernetes.io.pod.name`), a long value wrapped under itself.
    static func claims(_ entries: [ClaimLine], indent: Int, width: Int, group: String = "claim") -> [StyledLine] {
        var out: [StyledLine] = []
        for entry in entries {
            let lead = String(repeating: " ", count: indent + entry.indent)
            let label = "\(group == "claims" ? "claim" : group) \(entry.path)"
            // Continuation lines start under the value: after `key: ` (or `- `).
            let keyPart = entry.value == nil ? entry.text : String(entry.text.prefix { $0 != ":" })
            let hang = entry.text.hasPrefix("- ") || entry.text == "-" ? 2 : min(CharWidth.of(keyPart) + 2, 24)
            let room = max(10, width - CharWidth.of(lead))
            let parts = wrapHanging(entry.text, width: room, hang: hang)
            for part in parts { out.append(StyledLine(lead + part).copying(entry.value, as: label)) }
        }
        return out
    }

    /// `text` wrapped to `width`, the lines after the first indented by `hang` spaces.
    static func wrapHanging(_ text: String, width: Int, hang: Int) -> [String] {
        let first = TextWrap.wrap(text, width: width)
        guard first.count > 1, hang < width - 8 else { return first }
        let head = first[0]
        let rest = String(text.dropFirst(head.count)).drop { $0 == " " }
        let pad = String(repeating: " ", count: hang)
        return [head] + TextWrap.wrap(String(rest), width: width - hang).map { pad + $0 }
    }

    /// What an identity id is called, per provider (for the flash after `y`).
    static func identityLabel(_ provider: Provider) -> String {
        switch provider {
        case .azure, .azurePodIdentity: return "client id"
        case .awsIRSA, .awsPodIdentity: return "role ARN"
        case .gcp: return "service account"
        }
    }
}

/// The full text of a table row whose cells are cut (enter on a doctor row): each field wrapped at
/// word boundaries under its name, each line copying its field's whole value.
public struct TextDetail: Sendable, Hashable {
    public struct Field: Sendable, Hashable {
        public var name: String
        public var value: String
        public var role: ColorRole
        public init(_ name: String, _ value: String, role: ColorRole = .text) {
            self.name = name
            self.value = value
            self.role = role
        }
    }

    public var title: String
    public var fields: [Field]
    public init(title: String, fields: [Field]) {
        self.title = title
        self.fields = fields
    }
}

enum TextDocument {
    static func lines(_ state: AppState, title: String, width: Int) -> [StyledLine] {
        guard let detail = state.textDetails[title] else {
            return [StyledLine(" Nothing to show (the table behind it changed).", .dim)]
        }
        var out: [StyledLine] = []
        for field in detail.fields {
            out.append(Documents.section(" " + field.name))
            for part in TextWrap.wrap(field.value, width: max(10, width - 4)) {
                out.append(StyledLine("   " + part, field.role).copying(field.value, as: field.name))
            }
            out.append(.blank)
        }
        if out.last == .blank { out.removeLast() }
        return out
    }
}
