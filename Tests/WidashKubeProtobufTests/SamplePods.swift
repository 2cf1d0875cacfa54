import WidashCore

// One pod list, written twice: as the API server's JSON and as its protobuf encoding (field numbers
// from k8s.io/api/core/v1/generated.proto and k8s.io/apimachinery/pkg/apis/meta/v1/generated.proto).
// Both carry fields widash skips (managedFields, resources, ports, conditions, …) and the
// protobuf adds unknown field numbers and wire types, which must be skipped by length.

enum SamplePods {
    static let created = 1_768_471_425  // 2026-01-15T10:03:45Z
    static let started = 1_768_471_427  // 2026-01-15T10:03:47Z

    struct Replica {
        var name: String
        var uid: String
        var node: String
        var withStatus: Bool
    }

    static let replicas = [
        Replica(name: "web-7d4b9c6f5d-abcde", uid: "0b6f1c2e-1111-4aaa-8bbb-000000000001", node: "aks-nodepool1-17000001-vmss000001",
                withStatus: true),
        Replica(name: "web-7d4b9c6f5d-fghij", uid: "0b6f1c2e-1111-4aaa-8bbb-000000000002", node: "aks-nodepool1-17000001-vmss000002",
                withStatus: false),
    ]

    // MARK: JSON

    static var json: String {
        let items = replicas.map(podJSON).joined(separator: ",")
        return #"{"kind":"PodList","apiVersion":"v1","metadata":{"resourceVersion":"987654","continue":"eyJydiI6OTg3NjU0fQ","remainingItemCount":1500},"items":[\#(items)]}"#
    }

    static func podJSON(_ replica: Replica) -> String {
        let status = replica.withStatus
            ? #"{"phase":"Running","conditions":[{"type":"Ready","status":"True","lastProbeTime":null,"lastTransitionTime":"2026-01-15T10:03:47Z"}],"hostIP":"10.224.0.4","podIP":"10.244.0.2","startTime":"2026-01-15T10:03:45Z","containerStatuses":[{"name":"web","state":{"running":{"startedAt":"2026-01-15T10:03:47Z"}},"lastState":{},"ready":true,"restartCount":2,"image":"contoso.azurecr.io/shop/web:1.2.3","imageID":"contoso.azurecr.io/shop/web@sha256:0123","containerID":"containerd://0123","started":true},{"name":"sidecar","state":{},"lastState":{},"ready":false,"restartCount":0,"image":"envoy:1.30","imageID":"","started":false}],"qosClass":"Burstable"}"#
            : #"{"phase":"Pending","qosClass":"Burstable"}"#
        let initContainers = replica.withStatus ? #""initContainers":[{"name":"init-config","image":"busybox:1.36","resources":{}}],"# : ""
        return #"""
        {"metadata":{"name":"\#(replica.name)","generateName":"web-7d4b9c6f5d-","namespace":"shop","uid":"\#(replica.uid)","resourceVersion":"4000001","generation":1,"creationTimestamp":"2026-01-15T10:03:45Z","labels":{"app":"web","azure.workload.identity/use":"true","pod-template-hash":"7d4b9c6f5d"},"annotations":{"description":"web \"primary\" – café ✓"},"ownerReferences":[{"apiVersion":"apps/v1","kind":"ReplicaSet","name":"web-7d4b9c6f5d","uid":"5d5d5d5d-2222-4ccc-8ddd-000000000009","controller":true,"blockOwnerDeletion":true}],"finalizers":["example.com/keep"],"managedFields":[{"manager":"kube-controller-manager","operation":"Update","apiVersion":"v1","time":"2026-01-15T10:03:45Z","fieldsType":"FieldsV1","fieldsV1":{"f:metadata":{}}}]},"spec":{"volumes":[{"name":"azure-identity-token","projected":{"sources":[{"serviceAccountToken":{"audience":"api://AzureADTokenExchange","expirationSeconds":3600,"path":"azure-identity-token"}}],"defaultMode":420}},{"name":"config","configMap":{"name":"web-config","defaultMode":420}},{"name":"kube-api-access-x7k2p","projected":{"sources":[{"serviceAccountToken":{"expirationSeconds":3607,"path":"token"}},{"configMap":{"name":"kube-root-ca.crt","items":[{"key":"ca.crt","path":"ca.crt"}]}}],"defaultMode":420}}],\#(initContainers)"containers":[{"name":"web","image":"contoso.azurecr.io/shop/web:1.2.3","ports":[{"name":"http","containerPort":8080,"protocol":"TCP"}],"env":[{"name":"AZURE_CLIENT_ID","value":"6a1e8a11-3f4e-4b8e-9c51-6f3c2d1e0a9b"},{"name":"POD_NAME","valueFrom":{"fieldRef":{"apiVersion":"v1","fieldPath":"metadata.name"}}},{"name":"DB_PASSWORD","valueFrom":{"secretKeyRef":{"name":"web-db","key":"password","optional":true}}},{"name":"MODE","valueFrom":{"configMapKeyRef":{"key":"mode"}}},{"name":"CPU_LIMIT","valueFrom":{"resourceFieldRef":{"containerName":"web","resource":"limits.cpu","divisor":"1"}}},{"name":"EMPTY"}],"resources":{"limits":{"cpu":"500m"},"requests":{"memory":"128Mi"}},"volumeMounts":[{"name":"azure-identity-token","readOnly":true,"mountPath":"/var/run/secrets/azure/tokens"},{"name":"config","mountPath":"/etc/web"}],"terminationMessagePath":"/dev/termination-log","imagePullPolicy":"IfNotPresent"}],"restartPolicy":"Always","terminationGracePeriodSeconds":30,"serviceAccountName":"web-identity","serviceAccount":"web-identity","nodeName":"\#(replica.node)","securityContext":{"fsGroup":2000},"priority":-5},"status":\#(status)}
        """#
    }

    // MARK: Protobuf

    static var protobuf: [UInt8] {
        var list = ProtobufWriter()
        list.message(1) { meta in
            meta.string(2, "987654")
            meta.string(3, "eyJydiI6OTg3NjU0fQ")
            meta.int(4, 1500)
        }
        for replica in replicas {
            list.message(2) { pod in writePod(replica, to: &pod) }
        }
        return ProtobufWriter.envelope(kind: "PodList", raw: list.bytes)
    }

    static func writePod(_ replica: Replica, to pod: inout ProtobufWriter) {
        pod.message(1) { meta in
            meta.string(1, replica.name)
            meta.string(2, "web-7d4b9c6f5d-")
            meta.string(3, "shop")
            meta.string(4, "")  // selfLink: Go writes empty strings too
            meta.string(5, replica.uid)
            meta.string(6, "4000001")
            meta.int(7, 1)
            meta.time(8, seconds: created)
            meta.message(9) { _ in }  // deletionTimestamp: Go's zero time, an empty message
            meta.stringMap(11, ["app": "web", "azure.workload.identity/use": "true", "pod-template-hash": "7d4b9c6f5d"])
            meta.stringMap(12, ["description": "web \"primary\" – café ✓"])
            meta.message(13) { owner in
                owner.string(1, "ReplicaSet")
                owner.string(3, "web-7d4b9c6f5d")
                owner.string(4, "5d5d5d5d-2222-4ccc-8ddd-000000000009")
                owner.string(5, "apps/v1")
                owner.bool(6, true)
                owner.bool(7, true)
            }
            meta.string(14, "example.com/keep")
            meta.message(17) { managed in
                managed.string(1, "kube-controller-manager")
                managed.string(2, "Update")
                managed.string(3, "v1")
                managed.time(4, seconds: created)
                managed.message(7) { $0.lengthDelimited(1, Array(#"{"f:metadata":{}}"#.utf8)) }
            }
        }
        pod.message(2) { spec in
            spec.message(1) { volume in
                volume.string(1, "azure-identity-token")
                volume.message(2) { source in
                    source.message(26) { projected in
                        projected.message(1) { projection in
                            projection.message(4) { token in
                                token.string(1, "api://AzureADTokenExchange")
                                token.int(2, 3600)
                                token.string(3, "azure-identity-token")
                            }
                        }
                        projected.int(2, 420)
                    }
                }
            }
            spec.message(1) { volume in
                volume.string(1, "config")
                volume.message(2) { source in
                    source.message(19) { configMap in
                        configMap.message(1) { $0.string(1, "web-config") }
                        configMap.int(3, 420)
                    }
                }
            }
            spec.message(1) { volume in
                volume.string(1, "kube-api-access-x7k2p")
                volume.message(2) { source in
                    source.message(26) { projected in
                        projected.message(1) { projection in
                            projection.message(4) { token in
                                token.string(1, "")
                                token.int(2, 3607)
                                token.string(3, "token")
                            }
                        }
                        projected.message(1) { projection in
                            projection.message(3) { configMap in
                                configMap.message(1) { $0.string(1, "kube-root-ca.crt") }
                                configMap.message(2) { item in
                                    item.string(1, "ca.crt")
                                    item.string(2, "ca.crt")
                                }
                            }
                        }
                        projected.int(2, 420)
                    }
                }
            }
            spec.message(2) { writeContainer(&$0) }
            spec.string(3, "Always")
            spec.int(4, 30)
            spec.string(8, "web-identity")
            spec.string(9, "web-identity")
            spec.string(10, replica.node)
            spec.message(14) { $0.int(5, 2000) }
            if replica.withStatus {
                spec.message(20) { initContainer in
                    initContainer.string(1, "init-config")
                    initContainer.string(2, "busybox:1.36")
                    initContainer.message(8) { _ in }
                }
            }
            spec.int(25, -5)
            spec.fixed64(998, 0x0123_4567_89AB_CDEF)  // unknown to widash (and to Kubernetes): skipped
            spec.fixed32(999, 42)
        }
        pod.message(3) { status in
            status.string(1, replica.withStatus ? "Running" : "Pending")
            guard replica.withStatus else {
                status.string(9, "Burstable")
                return
            }
            status.message(2) { condition in
                condition.string(1, "Ready")
                condition.string(2, "True")
                condition.message(3) { _ in }
                condition.time(4, seconds: started)
            }
            status.string(5, "10.224.0.4")
            status.string(6, "10.244.0.2")
            status.time(7, seconds: created)
            status.message(8) { container in
                container.string(1, "web")
                container.message(2) { state in state.message(2) { $0.time(1, seconds: started) } }
                container.message(3) { _ in }
                container.bool(4, true)
                container.int(5, 2)
                container.string(6, "contoso.azurecr.io/shop/web:1.2.3")
                container.string(7, "contoso.azurecr.io/shop/web@sha256:0123")
                container.string(8, "containerd://0123")
                container.bool(9, true)
            }
            status.message(8) { container in
                container.string(1, "sidecar")
                container.message(2) { _ in }
                container.message(3) { _ in }
                container.bool(4, false)
                container.int(5, 0)
                container.string(6, "envoy:1.30")
                container.string(7, "")
                container.bool(9, false)
            }
            status.string(9, "Burstable")
        }
    }

    static func writeContainer(_ container: inout ProtobufWriter) {
        container.string(1, "web")
        container.string(2, "contoso.azurecr.io/shop/web:1.2.3")
        container.message(6) { port in
            port.string(1, "http")
            port.int(3, 8080)
            port.string(4, "TCP")
        }
        container.message(7) { env in
            env.string(1, "AZURE_CLIENT_ID")
            env.string(2, "6a1e8a11-3f4e-4b8e-9c51-6f3c2d1e0a9b")
        }
        container.message(7) { env in
            env.string(1, "POD_NAME")
            env.string(2, "")
            env.message(3) { source in
                source.message(1) { field in
                    field.string(1, "v1")
                    field.string(2, "metadata.name")
                }
            }
        }
        container.message(7) { env in
            env.string(1, "DB_PASSWORD")
            env.message(3) { source in
                source.message(4) { secret in
                    secret.message(1) { $0.string(1, "web-db") }
                    secret.string(2, "password")
                    secret.bool(3, true)
                }
            }
        }
        container.message(7) { env in
            env.string(1, "MODE")
            env.message(3) { source in
                source.message(3) { configMap in
                    configMap.message(1) { $0.string(1, "") }
                    configMap.string(2, "mode")
                }
            }
        }
        container.message(7) { env in
            env.string(1, "CPU_LIMIT")
            env.message(3) { source in
                source.message(2) { resource in
                    resource.string(1, "web")
                    resource.string(2, "limits.cpu")
                    resource.message(3) { $0.string(1, "1") }
                }
            }
        }
        container.message(7) { env in
            env.string(1, "EMPTY")
            env.string(2, "")
        }
        container.message(8) { resources in
            resources.message(1) { entry in
                entry.string(1, "cpu")
                entry.message(2) { $0.string(1, "500m") }
            }
            resources.message(2) { entry in
                entry.string(1, "memory")
                entry.message(2) { $0.string(1, "128Mi") }
            }
        }
        container.message(9) { mount in
            mount.string(1, "azure-identity-token")
            mount.bool(2, true)
            mount.string(3, "/var/run/secrets/azure/tokens")
        }
        container.message(9) { mount in
            mount.string(1, "config")
            mount.bool(2, false)
            mount.string(3, "/etc/web")
        }
        container.string(13, "/dev/termination-log")
        container.string(14, "IfNotPresent")
    }
}
