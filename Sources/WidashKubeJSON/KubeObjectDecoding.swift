import WidashCore

/// A WidashCore type that `KubeListDecoder` can read straight from Kubernetes JSON bytes.
///
/// Conforming types read only their own fields and skip everything else. The result must equal
/// what Foundation's `JSONDecoder` makes of the same bytes (the tests check this for every type).
public protocol KubeJSONDecodable: Sendable {
    /// Reads one object at the reader's position.
    static func decode(kubeJSON reader: inout KubeJSONReader) throws -> Self
}

extension KubeJSONReader {
    /// Where the next value starts (for "missing field" errors that point at the object).
    @inline(__always)
    mutating func valueOffset() -> Int {
        skipWhitespace()
        return pos
    }

    func missing(_ field: String, in objectStart: Int) -> KubeJSONError {
        KubeJSONError(.missingField(field), offset: objectStart)
    }
}

// MARK: - Metadata

extension ObjectMeta {
    static func read(_ r: inout KubeJSONReader) throws -> ObjectMeta {
        let start = r.valueOffset()
        try r.enterObject("an object (metadata)")
        var seen = SeenFields()
        var name: String?, namespace: String?, uid: String?, resourceVersion: String?, created: String?
        var labels: [String: String]?, annotations: [String: String]?, owners: [OwnerReference]?
        while let key = try r.nextKey() {
            if key.is("name"), seen.first(0) {
                name = try r.readString(intern: false)
            } else if key.is("namespace"), seen.first(1) {
                namespace = try r.readOptionalString(intern: true)
            } else if key.is("uid"), seen.first(2) {
                uid = try r.readOptionalString(intern: false)
            } else if key.is("resourceVersion"), seen.first(3) {
                resourceVersion = try r.readOptionalString(intern: false)
            } else if key.is("creationTimestamp"), seen.first(4) {
                created = try r.readOptionalString(intern: true)
            } else if key.is("labels"), seen.first(5) {
                labels = try r.readOptionalStringMap()
            } else if key.is("annotations"), seen.first(6) {
                annotations = try r.readOptionalStringMap()
            } else if key.is("ownerReferences"), seen.first(7) {
                owners = try r.consumeNull() ? nil : try r.cached(r.interner.ownerReferenceLists) { r in
                    try r.readArray("an array of owner references", OwnerReference.read)
                }
            } else {
                try r.skipValue()
            }
        }
        guard let name else { throw r.missing("name", in: start) }
        return ObjectMeta(name: name, namespace: namespace, uid: uid, resourceVersion: resourceVersion,
                          creationTimestamp: created, labels: labels, annotations: annotations, ownerReferences: owners)
    }
}

extension OwnerReference {
    static func read(_ r: inout KubeJSONReader) throws -> OwnerReference {
        let start = r.valueOffset()
        try r.enterObject("an object (owner reference)")
        var seen = SeenFields()
        var kind: String?, name: String?
        while let key = try r.nextKey() {
            if key.is("kind"), seen.first(0) {
                kind = try r.readString(intern: true)
            } else if key.is("name"), seen.first(1) {
                name = try r.readString(intern: true)
            } else {
                try r.skipValue()
            }
        }
        guard let kind else { throw r.missing("kind", in: start) }
        guard let name else { throw r.missing("name", in: start) }
        return OwnerReference(kind: kind, name: name)
    }
}

/// Reads `{"metadata": ...}` and skips the rest: namespaces and service accounts.
private func readMetadataOnly(_ r: inout KubeJSONReader, what: String) throws -> ObjectMeta {
    let start = r.valueOffset()
    try r.enterObject(what)
    var seen = SeenFields()
    var metadata: ObjectMeta?
    while let key = try r.nextKey() {
        if key.is("metadata"), seen.first(0) {
            metadata = try ObjectMeta.read(&r)
        } else {
            try r.skipValue()
        }
    }
    guard let metadata else { throw r.missing("metadata", in: start) }
    return metadata
}

extension Namespace: KubeJSONDecodable {
    public static func decode(kubeJSON reader: inout KubeJSONReader) throws -> Namespace {
        Namespace(metadata: try readMetadataOnly(&reader, what: "an object (Namespace)"))
    }
}

extension ServiceAccount: KubeJSONDecodable {
    public static func decode(kubeJSON reader: inout KubeJSONReader) throws -> ServiceAccount {
        ServiceAccount(metadata: try readMetadataOnly(&reader, what: "an object (ServiceAccount)"))
    }
}

// MARK: - Webhooks and aad-pod-identity

extension MutatingWebhookConfiguration: KubeJSONDecodable {
    public static func decode(kubeJSON r: inout KubeJSONReader) throws -> MutatingWebhookConfiguration {
        let start = r.valueOffset()
        try r.enterObject("an object (MutatingWebhookConfiguration)")
        var seen = SeenFields()
        var metadata: ObjectMeta?
        var webhooks: [MutatingWebhook]?
        while let key = try r.nextKey() {
            if key.is("metadata"), seen.first(0) {
                metadata = try ObjectMeta.read(&r)
            } else if key.is("webhooks"), seen.first(1) {
                webhooks = try r.readOptionalArray("an array of webhooks", MutatingWebhook.read)
            } else {
                try r.skipValue()
            }
        }
        guard let metadata else { throw r.missing("metadata", in: start) }
        return MutatingWebhookConfiguration(metadata: metadata, webhooks: webhooks)
    }
}

extension MutatingWebhook {
    static func read(_ r: inout KubeJSONReader) throws -> MutatingWebhook {
        let start = r.valueOffset()
        try r.enterObject("an object (webhook)")
        var seen = SeenFields()
        var name: String?, failurePolicy: String?
        while let key = try r.nextKey() {
            if key.is("name"), seen.first(0) {
                name = try r.readString(intern: true)
            } else if key.is("failurePolicy"), seen.first(1) {
                failurePolicy = try r.readOptionalString(intern: true)
            } else {
                try r.skipValue()
            }
        }
        guard let name else { throw r.missing("name", in: start) }
        return MutatingWebhook(name: name, failurePolicy: failurePolicy)
    }
}

extension KubeJSONReader {
    /// A `{metadata, spec}` object (the aad-pod-identity custom resources): both required, any
    /// other member skipped.
    mutating func readMetadataAndSpec<Spec>(kind: String, spec readSpec: (inout KubeJSONReader) throws -> Spec)
        throws -> (ObjectMeta, Spec) {
        let start = valueOffset()
        try enterObject("an object (\(kind))")
        var seen = SeenFields()
        var metadata: ObjectMeta?
        var spec: Spec?
        while let key = try nextKey() {
            if key.is("metadata"), seen.first(0) {
                metadata = try ObjectMeta.read(&self)
            } else if key.is("spec"), seen.first(1) {
                spec = try readSpec(&self)
            } else {
                try skipValue()
            }
        }
        guard let metadata else { throw missing("metadata", in: start) }
        guard let spec else { throw missing("spec", in: start) }
        return (metadata, spec)
    }
}

extension AzureIdentity: KubeJSONDecodable {
    public static func decode(kubeJSON r: inout KubeJSONReader) throws -> AzureIdentity {
        let (metadata, spec) = try r.readMetadataAndSpec(kind: "AzureIdentity", spec: readSpec)
        return AzureIdentity(metadata: metadata, spec: spec)
    }

    private static func readSpec(_ r: inout KubeJSONReader) throws -> Spec {
        try r.enterObject("an object (AzureIdentity spec)")
        var seen = SeenFields()
        var spec = Spec()
        while let key = try r.nextKey() {
            if key.is("type"), seen.first(0) {
                spec.type = try r.readOptionalInt()
            } else if key.is("resourceID"), seen.first(1) {
                spec.resourceID = try r.readOptionalString(intern: true)
            } else if key.is("clientID"), seen.first(2) {
                spec.clientID = try r.readOptionalString(intern: true)
            } else {
                try r.skipValue()
            }
        }
        return spec
    }
}

extension AzureIdentityBinding: KubeJSONDecodable {
    public static func decode(kubeJSON r: inout KubeJSONReader) throws -> AzureIdentityBinding {
        let (metadata, spec) = try r.readMetadataAndSpec(kind: "AzureIdentityBinding", spec: readSpec)
        return AzureIdentityBinding(metadata: metadata, spec: spec)
    }

    private static func readSpec(_ r: inout KubeJSONReader) throws -> Spec {
        let start = r.valueOffset()
        try r.enterObject("an object (AzureIdentityBinding spec)")
        var seen = SeenFields()
        var identity: String?, selector: String?
        while let key = try r.nextKey() {
            if key.is("azureIdentity"), seen.first(0) {
                identity = try r.readString(intern: true)
            } else if key.is("selector"), seen.first(1) {
                selector = try r.readString(intern: true)
            } else {
                try r.skipValue()
            }
        }
        guard let identity else { throw r.missing("azureIdentity", in: start) }
        guard let selector else { throw r.missing("selector", in: start) }
        return Spec(azureIdentity: identity, selector: selector)
    }
}
