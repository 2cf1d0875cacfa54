// meta.v1.Time on the wire is `Timestamp {int64 seconds = 1; int32 nanos = 2}`
// (k8s.io/apimachinery/pkg/apis/meta/v1/generated.proto, message Time; its Go codec in
// time_proto.go writes only the seconds and reads only the seconds), while the API server's JSON
// writes `t.UTC().Format(time.RFC3339)` (time.go, MarshalJSON): `2026-01-15T10:03:45Z`, or `null`
// for the zero time. widash keeps the JSON text, so protobuf seconds are formatted the same way —
// by hand, one civil-date conversion per timestamp, no DateFormatter.

enum ProtobufTimestamp {
    /// Go's zero `time.Time` (0001-01-01T00:00:00Z) as Unix seconds: JSON writes it as `null`.
    static let goZeroTimeSeconds: Int64 = -62_135_596_800
    /// 0000-01-01T00:00:00Z and 9999-12-31T23:59:59Z: the range RFC 3339 can write.
    static let earliest: Int64 = -62_167_219_200
    static let latest: Int64 = 253_402_300_799

    /// Writes `YYYY-MM-DDTHH:MM:SSZ` (20 bytes) into `out`.
    static func format(seconds: Int64, into out: UnsafeMutableBufferPointer<UInt8>) {
        let days = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
        let secondOfDay = Int(seconds - days * 86_400)
        let (year, month, day) = civilDate(daysSinceEpoch: days)
        func put(_ value: Int, _ at: Int, digits: Int) {
            var rest = value
            for index in stride(from: at + digits - 1, through: at, by: -1) {
                out[index] = UInt8(ascii: "0") + UInt8(rest % 10)
                rest /= 10
            }
        }
        put(Int(year), 0, digits: 4)
        out[4] = UInt8(ascii: "-")
        put(month, 5, digits: 2)
        out[7] = UInt8(ascii: "-")
        put(day, 8, digits: 2)
        out[10] = UInt8(ascii: "T")
        put(secondOfDay / 3600, 11, digits: 2)
        out[13] = UInt8(ascii: ":")
        put(secondOfDay / 60 % 60, 14, digits: 2)
        out[16] = UInt8(ascii: ":")
        put(secondOfDay % 60, 17, digits: 2)
        out[19] = UInt8(ascii: "Z")
    }

    /// The proleptic Gregorian date of a day counted from 1970-01-01, by 400-year eras (each
    /// exactly 146 097 days) counted from 0000-03-01, so that the leap day ends a year.
    static func civilDate(daysSinceEpoch days: Int64) -> (year: Int64, month: Int, day: Int) {
        let fromMarch0000 = days + 719_468  // days from 0000-03-01 to 1970-01-01
        let era = (fromMarch0000 >= 0 ? fromMarch0000 : fromMarch0000 - 146_096) / 146_097
        let dayOfEra = fromMarch0000 - era * 146_097  // 0…146096
        let yearOfEra = (dayOfEra - dayOfEra / 1_460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365  // 0…399
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)  // 0…365, from March 1
        let monthFromMarch = (5 * dayOfYear + 2) / 153  // 0 = March … 11 = February
        let day = Int(dayOfYear - (153 * monthFromMarch + 2) / 5 + 1)
        let month = Int(monthFromMarch < 10 ? monthFromMarch + 3 : monthFromMarch - 9)
        let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        return (year, month, day)
    }
}

extension ProtobufReader {
    /// A `meta.v1.Time` field as the API server's JSON writes it; nil for the zero time (an empty
    /// message, as Go writes it, or Go's zero instant).
    mutating func readTime(_ field: ProtobufField, _ what: StaticString) throws -> String? {
        try message(field, what) { r in
            if r.pos == r.end { return nil }
            var seconds: Int64 = 0
            let start = r.pos
            while let member = try r.nextField() {
                if member.number == 1 {
                    seconds = Int64(bitPattern: try r.readUInt64(member, "Time.seconds"))
                } else {
                    try r.skip(member)  // nanos: dropped, as the API server's JSON and Go codec drop them
                }
            }
            if seconds == ProtobufTimestamp.goZeroTimeSeconds { return nil }
            guard seconds >= ProtobufTimestamp.earliest, seconds <= ProtobufTimestamp.latest else {
                throw r.error(.timestampOutOfRange(seconds), at: start)
            }
            return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 20) { buffer in
                ProtobufTimestamp.format(seconds: seconds, into: buffer)
                return r.makeString(UnsafeBufferPointer(buffer), intern: true)
            }
        }
    }
}
