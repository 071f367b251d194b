/**
 * The objects the platform puts in every team namespace (components/tenancy/team.ts) hold the namespace's limits:
 * its quota, its container defaults, its network baseline and who has which role. RBAC keeps teams from editing
 * quotas and limit ranges, but a namespace's admins may manage its NetworkPolicies and RoleBindings, and with them
 * would delete the baseline or the platform's bindings. Here nobody changes these objects who may not change the
 * namespace's quota: the API server asks its authorizer (the CEL `authorizer` library) whether the requester may
 * do the same to resourcequotas there. The platform's deploy identity and the infra group may; so may the
 * namespace controller, which deletes everything in a namespace being deleted (its role deletes every resource).
 *
 * The name is the object's, not the request's: a DELETE of a whole collection is admitted item by item with the
 * request's empty name (apiserver endpoints/handlers/delete.go, DeleteCollection, and
 * rest.AdmissionToValidateObjectDeleteFunc), and a CREATE with generateName is named only after the request's
 * attributes were taken.
 */
import { AdmissionContext, literal, TeamAdmissionPolicy } from "./cel";

/** The platform's objects in a team namespace, by resource: the name, or (RoleBindings) the prefix, it reserves. */
export const PLATFORM_OBJECTS = {
  resourcequotas: { group: "", name: "team-quota" },
  limitranges: { group: "", name: "container-defaults" },
  networkpolicies: { group: "networking.k8s.io", name: "default-deny-with-platform-access" },
  rolebindings: { group: "rbac.authorization.k8s.io", prefix: "team-" },
} as const;

const OBJECT_NAME = "(request.operation == 'DELETE' ? oldObject : object).metadata.name";

const isPlatformObject = Object.entries(PLATFORM_OBJECTS)
  .map(([resource, object]) => {
    const named = "name" in object ? `${OBJECT_NAME} == ${literal(object.name)}` : `${OBJECT_NAME}.startsWith(${literal(object.prefix)})`;
    return `(request.resource.resource == ${literal(resource)} && ${named})`;
  })
  .join(" || ");

export function teamPlatformObjects(_context: AdmissionContext): TeamAdmissionPolicy {
  const groups = [...new Set(Object.values(PLATFORM_OBJECTS).map((object) => object.group))];
  return {
    name: "team-namespaces-platform-objects",
    resourceRules: groups.map((group) => ({
      apiGroups: [group],
      apiVersions: ["*"],
      resources: Object.entries(PLATFORM_OBJECTS)
        .filter(([, object]) => object.group === group)
        .map(([resource]) => resource),
      operations: ["CREATE", "UPDATE", "DELETE"],
    })),
    matchConditions: [{ name: "platform-object", expression: isPlatformObject }],
    variables: [
      {
        name: "verb",
        expression: "request.operation == 'DELETE' ? 'delete' : request.operation == 'CREATE' ? 'create' : 'update'",
      },
      { name: "kind", expression: "request.operation == 'DELETE' ? oldObject.kind : object.kind" },
      { name: "name", expression: OBJECT_NAME },
    ],
    validations: [
      {
        expression:
          "authorizer.group('').resource('resourcequotas').namespace(request.namespace).check(variables.verb).allowed() || " +
          "has(namespaceObject.metadata.deletionTimestamp)",
        message:
          "the platform's objects in a team namespace (team-quota, container-defaults, default-deny-with-platform-access, " +
          "the team-* RoleBindings) change only with the team's entry in the stack config (platform:teams): ask the platform team",
        messageExpression:
          '"may not " + variables.verb + " " + variables.kind + " " + variables.name + " in " + request.namespace + ": the platform owns ' +
          "team-quota, container-defaults, default-deny-with-platform-access and the team-* RoleBindings of team namespaces, which " +
          "change only with the team's entry in the stack config (platform:teams, through the platform team); " +
          'give your own NetworkPolicies and RoleBindings other names"',
      },
    ],
  };
}
