import Foundation

/// core/v1 Event, reduced to what widash shows: what happened (type, reason, message), to which
/// object, how often and when. Events written by client-go's `tools/record` (most controllers,
/// the kubelet) carry `count` and `first/lastTimestamp`; those written through events.k8s.io/v1
/// (`tools/events`) carry `eventTime` and `series` instead. Both are read.
public struct KubeEvent: Codable, Sendable, Hashable {
    public struct InvolvedObject: Codable, Sendable, Hashable {
        public var kind: String?
        public var namespace: String?
        public var name: String?
        public var uid: String?
        public init(kind: String?, namespace: String?, name: String?, uid: String? = nil) {
            self.kind = kind
            self.namespace = namespace
            self.name = name
            self.uid = uid
        }
    }
    public struct Source: Codable, Sendable, Hashable {
        public var component: String?
        public init(component: String?) { self.component = component }
    }
    public struct Series: Codable, Sendable, Hashable {
        public var count: Int?
        public var lastObservedTime: String?
        public init(count: Int?, lastObservedTime: String?) {
            self.count = count
            self.lastObservedTime = lastObservedTime
        }
    }

    public var metadata: ObjectMeta
    public var involvedObject: InvolvedObject
    public var reason: String?
    public var message: String?
    /// `Normal` or `Warning`.
    public var type: String?
    public var count: Int?
    public var firstTimestamp: String?
    public var lastTimestamp: String?
    public var eventTime: String?
    public var series: Series?
    public var source: Source?
    public var reportingComponent: String?

    public init(metadata: ObjectMeta, involvedObject: InvolvedObject, reason: String?, message: String?, type: String?,
                count: Int? = nil, firstTimestamp: String? = nil, lastTimestamp: String? = nil, eventTime: String? = nil,
                series: Series? = nil, source: Source? = nil, reportingComponent: String? = nil) {
        self.metadata = metadata
        self.involvedObject = involvedObject
        self.reason = reason
        self.message = message
        self.type = type
        self.count = count
        self.firstTimestamp = firstTimestamp
        self.lastTimestamp = lastTimestamp
        self.eventTime = eventTime
        self.series = series
        self.source = source
        self.reportingComponent = reportingComponent
    }

    /// How often it happened: `series.count`, else `count`, else once.
    public var occurrences: Int { max(1, series?.count ?? count ?? 1) }

    /// When it last happened: the series' last observation, `lastTimestamp`, `eventTime`, then the
    /// object's creation (kubectl's `LAST SEEN` uses the same order).
    public var lastSeen: Date? {
        TokenClock.parseTimestamp(series?.lastObservedTime) ?? TokenClock.parseTimestamp(lastTimestamp)
            ?? TokenClock.parseTimestamp(eventTime) ?? TokenClock.parseTimestamp(metadata.creationTimestamp)
    }

    /// When it first happened (`firstTimestamp`, else `eventTime`).
    public var firstSeen: Date? {
        TokenClock.parseTimestamp(firstTimestamp) ?? TokenClock.parseTimestamp(eventTime)
    }

    public var isWarning: Bool { type == "Warning" }

    /// "ReplicaSet/checkout-5d4f", as kubectl's OBJECT column.
    public var objectLabel: String {
        "\(involvedObject.kind.map { $0.lowercased() } ?? "object")/\(involvedObject.name ?? "?")"
    }
}

/// A workload whose pod template runs as some service account (ReplicaSet, Deployment, StatefulSet,
/// Job): the object and `spec.template.spec.serviceAccountName`. List items carry no `kind`, so the
/// reader sets it from the resource it listed.
public struct PodTemplateWorkload: Codable, Sendable, Hashable {
    public struct Spec: Codable, Sendable, Hashable {
        public struct Template: Codable, Sendable, Hashable {
            public struct TemplateSpec: Codable, Sendable, Hashable {
                public var serviceAccountName: String?
                /// Deprecated alias the API server still fills in.
                public var serviceAccount: String?
            }
            public var spec: TemplateSpec?
        }
        public var template: Template?
    }
    public var metadata: ObjectMeta
    public var spec: Spec?

    public init(metadata: ObjectMeta, serviceAccountName: String?) {
        self.metadata = metadata
        self.spec = Spec(template: .init(spec: .init(serviceAccountName: serviceAccountName, serviceAccount: nil)))
    }

    /// The service account its pods run as; `default` when the template names none (the
    /// ServiceAccount admission plugin's default).
    public var serviceAccountName: String {
        let spec = spec?.template?.spec
        let name = spec?.serviceAccountName ?? spec?.serviceAccount ?? ""
        return name.isEmpty ? "default" : name
    }
}
