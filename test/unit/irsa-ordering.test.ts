/**
 * A pod with an IRSA role starts only once the role can do its work: every service account the program annotates
 * with a role waits for that role's inline policy, which IAM applies after the role exists. Without it, a
 * controller's first calls meet AccessDenied (the load balancer controller, external-dns, the autoscaler, Velero,
 * cert-manager's DNS-01 solver).
 */
import { EKS_STACKS, RecordedResource } from "../../mock-engine";
import { runsBeforeAll } from "../stack-runs";

const ROLE_ARN_ANNOTATION = "eks.amazonaws.com/role-arn";
const ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy";

const runs = runsBeforeAll(EKS_STACKS);

/** The role ARNs a resource's inputs annotate service accounts with, wherever in its values. */
function annotatedRoles(value: unknown): string[] {
  if (!value || typeof value !== "object") return [];
  return Object.entries(value).flatMap(([key, inner]) =>
    key === ROLE_ARN_ANNOTATION && typeof inner === "string" ? [inner] : annotatedRoles(inner),
  );
}

test.each(EKS_STACKS)("%s: every chart that annotates a service account with a role waits for the role's policy", (stack) => {
  const run = runs[stack];
  const policies = new Map(run.ofType(ROLE_POLICY).map((p) => [p.name, p.urn]));
  const annotating = run.resources.filter((r: RecordedResource) => annotatedRoles(r.inputs).length > 0);
  expect(annotating.length).toBeGreaterThan(0);
  // The mock engine names an ARN after its resource: `...:<name>-role`, whose policy is `<name>-policy`.
  const pairs = annotating.flatMap((r) =>
    annotatedRoles(r.inputs).map((arn) => ({
      resource: r,
      policy: policies.get(
        `${arn
          .split(":")
          .pop()!
          .replace(/-role$/, "")}-policy`,
      ),
    })),
  );
  // Every annotated role here has a policy of its own: none may go unchecked for want of one.
  expect(pairs.filter((pair) => pair.policy === undefined).map((pair) => pair.resource.name)).toEqual([]);
  const unordered = pairs
    .filter(({ resource, policy }) => !resource.dependencies.includes(policy!))
    .map(({ resource, policy }) => `${resource.name} does not wait for ${policy!.split("::").pop()}`);
  expect(unordered).toEqual([]);
});
