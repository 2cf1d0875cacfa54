import Foundation
import WidashSandboxKit

/// ARM's `Microsoft.Authorization` reads at a scope (the subscription, the resource group, or a
/// resource in it): role assignments (list with `$filter`, get by name) and role definitions (list,
/// get by GUID), api-version 2022-04-01 (azure-rest-api-specs specification/authorization/
/// resource-manager/Microsoft.Authorization/stable/2022-04-01: authorization-RoleAssignmentsCalls.json,
/// authorization-RoleDefinitionsCalls.json and their examples).
struct AuthorizationRoutes {
    /// Role assignments per page. The real page size is not documented; 200 keeps every demo listing
    /// on one page and makes an unfiltered listing of the scale scenario page.
    static let assignmentPageSize = 200
    static let readAssignments = "Microsoft.Authorization/roleAssignments/read"
    static let readDefinitions = "Microsoft.Authorization/roleDefinitions/read"

    let directory: AzureDirectory
    let request: SandboxRequest
    let version: String

    /// Routes the segments after `…/providers/Microsoft.Authorization` at `scope`.
    func operation(_ lower: [String], original: [String], scope: String) -> Result<ARMOperation, ARMRefusal> {
        let provider = "\(scope)/providers/Microsoft.Authorization"
        switch lower {
        case ["roleassignments"]:
            return .success(ARMOperation(action: Self.readAssignments, scope: scope, errorScope: provider) {
                roleAssignments(at: scope)
            })
        case _ where lower.count == 2 && lower[0] == "roleassignments":
            let id = "\(provider)/roleAssignments/\(original[1])"
            return .success(ARMOperation(action: Self.readAssignments, scope: id, errorScope: id) {
                roleAssignment(named: original[1], at: scope)
            })
        case ["roledefinitions"]:
            return .success(ARMOperation(action: Self.readDefinitions, scope: scope, errorScope: provider) {
                roleDefinitions(at: scope)
            })
        case _ where lower.count == 2 && lower[0] == "roledefinitions":
            let id = "\(provider)/roleDefinitions/\(original[1])"
            return .success(ARMOperation(action: Self.readDefinitions, scope: id, errorScope: id) {
                roleDefinition(original[1], scope: scope)
            })
        default:
            return .failure(ARMRefusal(ARMError.invalidResourceType(version, namespace: "Microsoft.Authorization")))
        }
    }

    // MARK: Role assignments

    /// "List all role assignments that apply to a scope": those at, above or below it; `$filter`
    /// narrows them: `atScope()` to those at or above, `principalId eq '{id}'` and
    /// `assignedTo('{id}')` to one principal's (the demo has no groups, so both mean the same).
    func roleAssignments(at scope: String) -> SandboxResponse {
        let filter: RoleAssignmentFilter
        switch RoleAssignmentFilter.parse(request.query["$filter"]) {
        case .success(let parsed): filter = parsed
        case .failure(let error): return error.response
        }
        let candidates = filter.principalID.map { directory.roleAssignments(principalID: $0) } ?? directory.roleAssignments
        let matching = candidates.filter { assignment in
            let above = assignment.covers(scope)
            return filter.atScope ? above : above || ARMScope.contains(scope, assignment.scope)
        }
        guard let page = ARMPaging.page(matching, request: request, size: Self.assignmentPageSize) else {
            return ARMPaging.invalidSkipToken()
        }
        return .json(200, ARMPaging.body(page.items.map(AuthorizationJSON.assignment), next: page.next, request: request),
                     headers: ARMError.headers())
    }

    func roleAssignment(named name: String, at scope: String) -> SandboxResponse {
        guard let assignment = directory.roleAssignments.first(where: {
            $0.name.lowercased() == name.lowercased() && ARMScope.segments($0.scope) == ARMScope.segments(scope)
        }) else {
            return ARMError.response(404, "RoleAssignmentNotFound", "The role assignment '\(name)' is not found.")
        }
        return .json(200, AuthorizationJSON.assignment(assignment), headers: ARMError.headers())
    }

    // MARK: Role definitions

    /// The roles usable at `scope`: the built-in ones and custom roles assignable there;
    /// `$filter=roleName eq '…'` or `type eq 'BuiltInRole'|'CustomRole'` narrows them.
    func roleDefinitions(at scope: String) -> SandboxResponse {
        var roles = RoleDefinition.all.filter { role in role.assignableScopes.contains { ARMScope.contains($0, scope) } }
        if let filter = request.query["$filter"], !filter.isEmpty {
            guard let (field, value) = RoleAssignmentFilter.equality(filter), ["rolename", "type"].contains(field) else {
                return RoleAssignmentFilter.unsupported(filter, supported: "roleName eq '{value}' and type eq '{value}'")
            }
            roles = roles.filter { (field == "rolename" ? $0.roleName : $0.kind.rawValue).lowercased() == value.lowercased() }
        }
        return .json(200, ["value": roles.map { AuthorizationJSON.definition($0, scope: scope) }], headers: ARMError.headers())
    }

    /// One role definition, its id under the scope it was asked at (as ARM answers).
    func roleDefinition(_ guid: String, scope: String) -> SandboxResponse {
        guard let role = RoleDefinition.named(guid: guid) else {
            return ARMError.response(404, "RoleDefinitionDoesNotExist", "The specified role definition with ID '\(guid)' does not exist.")
        }
        return .json(200, AuthorizationJSON.definition(role, scope: scope), headers: ARMError.headers())
    }
}

/// The `$filter` of a role assignment listing.
struct RoleAssignmentFilter: Equatable {
    var principalID: String?
    var atScope = false

    static let supported = "atScope(), principalId eq '{objectId}' and assignedTo('{objectId}')"

    /// Terms joined by `and`: `atScope()`, `principalId eq '{id}'` (quotes optional, as the spec's
    /// parameter description writes it without), `assignedTo('{id}')`.
    static func parse(_ text: String?) -> Result<RoleAssignmentFilter, ARMRefusal> {
        var filter = RoleAssignmentFilter()
        guard let text, !text.trimmingCharacters(in: .whitespaces).isEmpty else { return .success(filter) }
        for term in text.components(separatedBy: " and ").map({ $0.trimmingCharacters(in: .whitespaces) }) {
            let lower = term.lowercased()
            if lower == "atscope()" {
                filter.atScope = true
            } else if lower.hasPrefix("assignedto("), lower.hasSuffix(")") {
                filter.principalID = unquote(String(term.dropFirst("assignedTo(".count).dropLast()))
            } else if let (field, value) = equality(term), field == "principalid" {
                filter.principalID = value
            } else {
                return .failure(ARMRefusal(unsupported(text, supported: supported)))
            }
        }
        return .success(filter)
    }

    /// `field eq 'value'` → (lower-cased field, value).
    static func equality(_ term: String) -> (String, String)? {
        let parts = term.trimmingCharacters(in: .whitespaces).components(separatedBy: " ").filter { !$0.isEmpty }
        guard parts.count >= 3, parts[1].lowercased() == "eq" else { return nil }
        return (parts[0].lowercased(), unquote(parts[2...].joined(separator: " ")))
    }

    static func unquote(_ text: String) -> String {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        guard trimmed.count >= 2, trimmed.hasPrefix("'"), trimmed.hasSuffix("'") else { return trimmed }
        return String(trimmed.dropFirst().dropLast())
    }

    static func unsupported(_ filter: String, supported: String) -> SandboxResponse {
        // The emulator's wording (ARM's own text for an unsupported filter is not documented).
        ARMError.response(400, "UnsupportedQuery", "The filter '\(filter)' is not supported. Supported filters are \(supported).")
    }
}

/// Bodies of role assignments and role definitions.
enum AuthorizationJSON {
    /// Demo objects' fixed creation time (`2024-10-27T03:33:20.0000000Z`), so responses stay the same across runs.
    static let created = AzureWire.entraPreciseTime(DemoResourceData.created)
    /// Who created the demo's role assignments: the tenant's (fictional) administrator.
    static let creator = AzureWire.stableID("widash-demo/administrator")

    static func assignment(_ assignment: RoleAssignment) -> [String: Any] {
        let properties: [String: Any] = [
            "roleDefinitionId": "/subscriptions/\(DemoDirectory.subscriptionID)/providers/Microsoft.Authorization/roleDefinitions/\(assignment.role.guid)",
            "principalId": assignment.principalID, "principalType": assignment.principalType, "scope": assignment.scope,
            "condition": NSNull(), "conditionVersion": NSNull(), "description": NSNull(),
            "delegatedManagedIdentityResourceId": NSNull(),
            "createdOn": created, "updatedOn": created, "createdBy": creator, "updatedBy": creator,
        ]
        return ["id": assignment.id, "name": assignment.name, "type": "Microsoft.Authorization/roleAssignments", "properties": properties]
    }

    static func definition(_ role: RoleDefinition, scope: String) -> [String: Any] {
        let properties: [String: Any] = [
            "roleName": role.roleName, "type": role.kind.rawValue, "description": role.description,
            "assignableScopes": role.assignableScopes,
            "permissions": [["actions": role.actions, "notActions": role.notActions,
                             "dataActions": role.dataActions, "notDataActions": role.notDataActions]],
            "createdOn": created, "updatedOn": created,
            "createdBy": role.kind == .custom ? creator : NSNull(), "updatedBy": role.kind == .custom ? creator : NSNull(),
        ]
        return ["id": "\(scope)/providers/Microsoft.Authorization/roleDefinitions/\(role.guid)", "name": role.guid,
                "type": "Microsoft.Authorization/roleDefinitions", "properties": properties]
    }
}
