// The field tables the sandbox's protobuf encoder writes from, keyed by the JSON member names the
// sandbox stores. Only what the sandbox's own objects carry (demo, scale scenario, objects created
// through the API) is listed; the encoder skips any other member and reports it (see
// `JSONToProtobufTranscoder.skipped`), which is the sandbox's documented limit, not an error.
//
// k8s.io/api core/v1/generated.proto (kubernetes/api at 10b39a39, 2026-07-24):
//   Pod                   metadata=1 spec=2 status=3              PodList / ServiceAccountList  metadata=1 items=2
//   ServiceAccount        metadata=1 secrets=2 imagePullSecrets=3 automountServiceAccountToken=4
//   PodSpec               volumes=1 containers=2 restartPolicy=3 terminationGracePeriodSeconds=4
//                         activeDeadlineSeconds=5 dnsPolicy=6 nodeSelector=7 serviceAccountName=8
//                         serviceAccount=9 nodeName=10 hostNetwork=11 securityContext=14 imagePullSecrets=15
//                         hostname=16 subdomain=17 schedulerName=19 initContainers=20
//                         automountServiceAccountToken=21 tolerations=22 priorityClassName=24 priority=25
//                         enableServiceLinks=30 preemptionPolicy=31
//   Container             name=1 image=2 command=3 args=4 workingDir=5 ports=6 env=7 resources=8 volumeMounts=9
//                         livenessProbe=10 readinessProbe=11 terminationMessagePath=13 imagePullPolicy=14
//                         terminationMessagePolicy=20 startupProbe=22
//   Probe                 handler=1 (ProbeHandler, inline in JSON) initialDelaySeconds=2 timeoutSeconds=3
//                         periodSeconds=4 successThreshold=5 failureThreshold=6 terminationGracePeriodSeconds=7
//   ProbeHandler          exec=1 httpGet=2 tcpSocket=3;  ExecAction command=1;  TCPSocketAction port=1 host=2
//   HTTPGetAction         path=1 port=2 (IntOrString) host=3 scheme=4
//   ContainerPort         name=1 hostPort=2 containerPort=3 protocol=4 hostIP=5
//   EnvVar                name=1 value=2 valueFrom=3
//   EnvVarSource          fieldRef=1 configMapKeyRef=3 secretKeyRef=4
//   Config/SecretKeySelector localObjectReference=1 (its `name` inline in JSON) key=2 optional=3
//   ObjectFieldSelector   apiVersion=1 fieldPath=2;  LocalObjectReference name=1
//   ResourceRequirements  limits=1 requests=2 (map<string, Quantity>)
//   VolumeMount           name=1 readOnly=2 mountPath=3 subPath=4
//   Volume                name=1 volumeSource=2 (inline in JSON)
//   VolumeSource          emptyDir=2 secret=6 configMap=19 projected=26
//   EmptyDirVolumeSource  medium=1 sizeLimit=2 (Quantity);  SecretVolumeSource secretName=1 items=2 defaultMode=3 optional=4
//   ConfigMapVolumeSource localObjectReference=1 items=2 defaultMode=3 optional=4
//   ProjectedVolumeSource sources=1 defaultMode=2
//   VolumeProjection      downwardAPI=2 configMap=3 serviceAccountToken=4
//   ServiceAccountTokenProjection audience=1 expirationSeconds=2 path=3
//   ConfigMapProjection   localObjectReference=1 items=2 optional=4;  KeyToPath key=1 path=2 mode=3
//   DownwardAPIProjection items=1;  DownwardAPIVolumeFile path=1 fieldRef=2 mode=4
//   Toleration            key=1 operator=2 value=3 effect=4 tolerationSeconds=5
//   PodSecurityContext    runAsUser=2 runAsNonRoot=3 fsGroup=5 runAsGroup=6
//   PodStatus             phase=1 conditions=2 message=3 reason=4 hostIP=5 podIP=6 startTime=7
//                         containerStatuses=8 qosClass=9 initContainerStatuses=10 nominatedNodeName=11
//                         podIPs=12 hostIPs=16;  PodIP / HostIP ip=1
//   PodCondition          type=1 status=2 lastProbeTime=3 lastTransitionTime=4 reason=5 message=6
//   ContainerStatus       name=1 state=2 lastState=3 ready=4 restartCount=5 image=6 imageID=7 containerID=8 started=9
//   ContainerState        waiting=1 running=2 terminated=3;  ContainerStateWaiting reason=1 message=2
//   ContainerStateRunning startedAt=1;  ContainerStateTerminated exitCode=1 signal=2 reason=3 message=4
//                         startedAt=5 finishedAt=6 containerID=7
//   ObjectReference       kind=1 namespace=2 name=3 uid=4 apiVersion=5 resourceVersion=6 fieldPath=7
// k8s.io/apimachinery pkg/apis/meta/v1/generated.proto (kubernetes/apimachinery at eed236ce, 2026-07-23):
//   ObjectMeta            name=1 generateName=2 namespace=3 selfLink=4 uid=5 resourceVersion=6 generation=7
//                         creationTimestamp=8 deletionTimestamp=9 deletionGracePeriodSeconds=10 labels=11
//                         annotations=12 ownerReferences=13 finalizers=14
//   OwnerReference        kind=1 name=3 uid=4 apiVersion=5 controller=6 blockOwnerDeletion=7
//   ListMeta              selfLink=1 resourceVersion=2 continue=3 remainingItemCount=4
//   Status                metadata=1 (ListMeta) status=2 message=3 reason=4 details=5 code=6 (int32)
//   StatusDetails         name=1 group=2 kind=3 causes=4 retryAfterSeconds=5 uid=6;  StatusCause reason=1 message=2 field=3
//   Time                  seconds=1 nanos=2 (time_proto.go writes only whole seconds: RFC 3339 in JSON has no more)
// apimachinery pkg/util/intstr/generated.proto: IntOrString type=1 (0 int, 1 string) intVal=2 strVal=3
// apimachinery pkg/api/resource/generated.proto: Quantity string=1 (quantity_proto.go writes its canonical string)

/// How one JSON member becomes protobuf.
indirect enum KubeProtobufFieldKind: Sendable {
    case string, int, bool
    /// meta.v1.Time `{seconds=1}` from an RFC 3339 string.
    case time
    case message(String)
    /// `map<string, string>` as map entries `{key=1, value=2}`.
    case stringMap
    /// `map<string, Quantity>`, each value `{string=1}`.
    case quantityMap
    /// One `resource.Quantity` `{string=1}`.
    case quantity
    /// `IntOrString`: a JSON number or string.
    case intOrString
    /// An embedded `LocalObjectReference {name=1}` whose `name` JSON flattens into the parent.
    case localObjectReference
}

struct KubeProtobufField: Sendable {
    var number: Int
    var kind: KubeProtobufFieldKind
}

struct KubeProtobufMessageSchema: Sendable {
    var fields: [String: KubeProtobufField]
    /// JSON members not in `fields` belong to this embedded message, which JSON inlines into its
    /// parent (Volume's VolumeSource, Probe's ProbeHandler).
    var inlined: (number: Int, schema: String)?

    init(_ fields: [String: (Int, KubeProtobufFieldKind)], inlined: (number: Int, schema: String)? = nil) {
        self.fields = fields.mapValues { KubeProtobufField(number: $0.0, kind: $0.1) }
        self.inlined = inlined
    }
}

enum KubeProtobufSchema {
    static let messages: [String: KubeProtobufMessageSchema] = [
        "PodList": .init(["metadata": (1, .message("ListMeta")), "items": (2, .message("Pod"))]),
        "ServiceAccountList": .init(["metadata": (1, .message("ListMeta")), "items": (2, .message("ServiceAccount"))]),
        "ListMeta": .init(["selfLink": (1, .string), "resourceVersion": (2, .string), "continue": (3, .string),
                           "remainingItemCount": (4, .int)]),
        "ObjectMeta": .init([
            "name": (1, .string), "generateName": (2, .string), "namespace": (3, .string), "selfLink": (4, .string),
            "uid": (5, .string), "resourceVersion": (6, .string), "generation": (7, .int), "creationTimestamp": (8, .time),
            "deletionTimestamp": (9, .time), "deletionGracePeriodSeconds": (10, .int), "labels": (11, .stringMap),
            "annotations": (12, .stringMap), "ownerReferences": (13, .message("OwnerReference")), "finalizers": (14, .string),
        ]),
        "OwnerReference": .init(["kind": (1, .string), "name": (3, .string), "uid": (4, .string), "apiVersion": (5, .string),
                                 "controller": (6, .bool), "blockOwnerDeletion": (7, .bool)]),
        "Pod": .init(["metadata": (1, .message("ObjectMeta")), "spec": (2, .message("PodSpec")), "status": (3, .message("PodStatus"))]),
        "ServiceAccount": .init(["metadata": (1, .message("ObjectMeta")), "secrets": (2, .message("ObjectReference")),
                                 "imagePullSecrets": (3, .message("LocalObjectReference")),
                                 "automountServiceAccountToken": (4, .bool)]),
        "ObjectReference": .init(["kind": (1, .string), "namespace": (2, .string), "name": (3, .string), "uid": (4, .string),
                                  "apiVersion": (5, .string), "resourceVersion": (6, .string), "fieldPath": (7, .string)]),
        "LocalObjectReference": .init(["name": (1, .string)]),
        "PodSpec": .init([
            "volumes": (1, .message("Volume")), "containers": (2, .message("Container")), "restartPolicy": (3, .string),
            "terminationGracePeriodSeconds": (4, .int), "activeDeadlineSeconds": (5, .int), "dnsPolicy": (6, .string),
            "nodeSelector": (7, .stringMap), "serviceAccountName": (8, .string), "serviceAccount": (9, .string),
            "nodeName": (10, .string), "hostNetwork": (11, .bool), "securityContext": (14, .message("PodSecurityContext")),
            "imagePullSecrets": (15, .message("LocalObjectReference")), "hostname": (16, .string), "subdomain": (17, .string),
            "schedulerName": (19, .string), "initContainers": (20, .message("Container")),
            "automountServiceAccountToken": (21, .bool), "tolerations": (22, .message("Toleration")),
            "priorityClassName": (24, .string), "priority": (25, .int), "enableServiceLinks": (30, .bool),
            "preemptionPolicy": (31, .string),
        ]),
        "PodSecurityContext": .init(["runAsUser": (2, .int), "runAsNonRoot": (3, .bool), "fsGroup": (5, .int), "runAsGroup": (6, .int)]),
        "Toleration": .init(["key": (1, .string), "operator": (2, .string), "value": (3, .string), "effect": (4, .string),
                             "tolerationSeconds": (5, .int)]),
        "Container": .init([
            "name": (1, .string), "image": (2, .string), "command": (3, .string), "args": (4, .string), "workingDir": (5, .string),
            "ports": (6, .message("ContainerPort")), "env": (7, .message("EnvVar")), "resources": (8, .message("ResourceRequirements")),
            "volumeMounts": (9, .message("VolumeMount")), "livenessProbe": (10, .message("Probe")),
            "readinessProbe": (11, .message("Probe")), "terminationMessagePath": (13, .string), "imagePullPolicy": (14, .string),
            "terminationMessagePolicy": (20, .string), "startupProbe": (22, .message("Probe")),
        ]),
        "Probe": .init(["initialDelaySeconds": (2, .int), "timeoutSeconds": (3, .int), "periodSeconds": (4, .int),
                        "successThreshold": (5, .int), "failureThreshold": (6, .int), "terminationGracePeriodSeconds": (7, .int)],
                       inlined: (1, "ProbeHandler")),
        "ProbeHandler": .init(["exec": (1, .message("ExecAction")), "httpGet": (2, .message("HTTPGetAction")),
                               "tcpSocket": (3, .message("TCPSocketAction"))]),
        "ExecAction": .init(["command": (1, .string)]),
        "TCPSocketAction": .init(["port": (1, .intOrString), "host": (2, .string)]),
        "HTTPGetAction": .init(["path": (1, .string), "port": (2, .intOrString), "host": (3, .string), "scheme": (4, .string)]),
        "ContainerPort": .init(["name": (1, .string), "hostPort": (2, .int), "containerPort": (3, .int), "protocol": (4, .string),
                                "hostIP": (5, .string)]),
        "EnvVar": .init(["name": (1, .string), "value": (2, .string), "valueFrom": (3, .message("EnvVarSource"))]),
        "EnvVarSource": .init(["fieldRef": (1, .message("ObjectFieldSelector")), "configMapKeyRef": (3, .message("KeySelector")),
                               "secretKeyRef": (4, .message("KeySelector"))]),
        // ConfigMapKeySelector and SecretKeySelector have the same fields.
        "KeySelector": .init(["name": (1, .localObjectReference), "key": (2, .string), "optional": (3, .bool)]),
        "ObjectFieldSelector": .init(["apiVersion": (1, .string), "fieldPath": (2, .string)]),
        "ResourceRequirements": .init(["limits": (1, .quantityMap), "requests": (2, .quantityMap)]),
        "VolumeMount": .init(["name": (1, .string), "readOnly": (2, .bool), "mountPath": (3, .string), "subPath": (4, .string)]),
        "Volume": .init(["name": (1, .string)], inlined: (2, "VolumeSource")),
        "VolumeSource": .init(["emptyDir": (2, .message("EmptyDirVolumeSource")), "secret": (6, .message("SecretVolumeSource")),
                               "configMap": (19, .message("ConfigMapVolumeSource")), "projected": (26, .message("ProjectedVolumeSource"))]),
        "EmptyDirVolumeSource": .init(["medium": (1, .string), "sizeLimit": (2, .quantity)]),
        "SecretVolumeSource": .init(["secretName": (1, .string), "items": (2, .message("KeyToPath")), "defaultMode": (3, .int),
                                     "optional": (4, .bool)]),
        "ConfigMapVolumeSource": .init(["name": (1, .localObjectReference), "items": (2, .message("KeyToPath")),
                                        "defaultMode": (3, .int), "optional": (4, .bool)]),
        "ProjectedVolumeSource": .init(["sources": (1, .message("VolumeProjection")), "defaultMode": (2, .int)]),
        "VolumeProjection": .init(["downwardAPI": (2, .message("DownwardAPIProjection")), "configMap": (3, .message("ConfigMapProjection")),
                                   "serviceAccountToken": (4, .message("ServiceAccountTokenProjection"))]),
        "ServiceAccountTokenProjection": .init(["audience": (1, .string), "expirationSeconds": (2, .int), "path": (3, .string)]),
        "ConfigMapProjection": .init(["name": (1, .localObjectReference), "items": (2, .message("KeyToPath")), "optional": (4, .bool)]),
        "KeyToPath": .init(["key": (1, .string), "path": (2, .string), "mode": (3, .int)]),
        "DownwardAPIProjection": .init(["items": (1, .message("DownwardAPIVolumeFile"))]),
        "DownwardAPIVolumeFile": .init(["path": (1, .string), "fieldRef": (2, .message("ObjectFieldSelector")), "mode": (4, .int)]),
        "PodStatus": .init([
            "phase": (1, .string), "conditions": (2, .message("PodCondition")), "message": (3, .string), "reason": (4, .string),
            "hostIP": (5, .string), "podIP": (6, .string), "startTime": (7, .time), "containerStatuses": (8, .message("ContainerStatus")),
            "qosClass": (9, .string), "initContainerStatuses": (10, .message("ContainerStatus")), "nominatedNodeName": (11, .string),
            "podIPs": (12, .message("PodIP")), "hostIPs": (16, .message("PodIP")),
        ]),
        "PodIP": .init(["ip": (1, .string)]),  // HostIP has the same single field
        "PodCondition": .init(["type": (1, .string), "status": (2, .string), "lastProbeTime": (3, .time),
                               "lastTransitionTime": (4, .time), "reason": (5, .string), "message": (6, .string)]),
        "ContainerStatus": .init([
            "name": (1, .string), "state": (2, .message("ContainerState")), "lastState": (3, .message("ContainerState")),
            "ready": (4, .bool), "restartCount": (5, .int), "image": (6, .string), "imageID": (7, .string),
            "containerID": (8, .string), "started": (9, .bool),
        ]),
        "ContainerState": .init(["waiting": (1, .message("ContainerStateWaiting")), "running": (2, .message("ContainerStateRunning")),
                                 "terminated": (3, .message("ContainerStateTerminated"))]),
        "ContainerStateWaiting": .init(["reason": (1, .string), "message": (2, .string)]),
        "ContainerStateRunning": .init(["startedAt": (1, .time)]),
        "Status": .init(["metadata": (1, .message("ListMeta")), "status": (2, .string), "message": (3, .string),
                         "reason": (4, .string), "details": (5, .message("StatusDetails")), "code": (6, .int)]),
        "StatusDetails": .init(["name": (1, .string), "group": (2, .string), "kind": (3, .string),
                                "causes": (4, .message("StatusCause")), "retryAfterSeconds": (5, .int), "uid": (6, .string)]),
        "StatusCause": .init(["reason": (1, .string), "message": (2, .string), "field": (3, .string)]),
        "ContainerStateTerminated": .init(["exitCode": (1, .int), "signal": (2, .int), "reason": (3, .string), "message": (4, .string),
                                           "startedAt": (5, .time), "finishedAt": (6, .time), "containerID": (7, .string)]),
    ]
}
