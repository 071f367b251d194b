/**
 * The deploy role's permissions boundary requires itself on every role (and user) the deploy role creates or gives
 * permissions to, so no identity escapes it, and the program sets it on every role it creates
 * (components/aws-account `boundedRole`). Evaluated with the bootstrap's policies (test/iam-evaluator.ts) and the
 * roles the program registers for each environment (mock-engine/index.ts).
 */
import { ACCOUNTS, BootstrapRun, Env, runBootstrap } from "../bootstrap-harness";
import { EKS_STACKS, runStack, StackRun } from "../../mock-engine";
import { ALLOW_ALL, decide, Decision } from "../iam-evaluator";

const ENVS = [...EKS_STACKS];
const boundaryArn = (env: Env) => `arn:aws:iam::${ACCOUNTS[env]}:policy/platform-deployer-boundary`;
const roleArn = (env: Env, name: string) => `arn:aws:iam::${ACCOUNTS[env]}:role/${name}`;

let bootstraps: Record<Env, BootstrapRun>;
let programs: Record<Env, StackRun>;
beforeAll(async () => {
  bootstraps = {} as Record<Env, BootstrapRun>;
  programs = {} as Record<Env, StackRun>;
  for (const env of ENVS) bootstraps[env] = await runBootstrap(env);
  for (const env of ENVS) programs[env] = await runStack(env);
}, 300_000);

/** What a principal bounded by `env`'s boundary (with AdministratorAccess) may do; `boundary` is the role's boundary, if any. */
function bounded(env: Env, principalArn: string, action: string, resource: string, boundary?: string): Decision {
  return decide(
    { principalArn, action, resource, context: boundary ? { "iam:PermissionsBoundary": boundary } : {} },
    {
      identity: [ALLOW_ALL],
      boundary: bootstraps[env].policy("aws:iam/policy:Policy", `${env}-deploy-boundary`),
      resourceAccount: ACCOUNTS[env],
    },
  );
}

describe.each(ENVS)("%s's deploy role", (env) => {
  const deployer = roleArn(env, "platform-deployer");
  const may = (action: string, resource: string, boundary?: string) => bounded(env, deployer, action, resource, boundary);

  test("is bounded by the boundary the program names", () => {
    expect(bootstraps[env].one("aws:iam/role:Role", `${env}-deploy-role`).inputs.permissionsBoundary).toBe(boundaryArn(env));
    expect(bootstraps[env].one("aws:iam/policy:Policy", `${env}-deploy-boundary`).inputs.name).toBe("platform-deployer-boundary");
  });

  test("cannot create a role or a user without that boundary, or with another", () => {
    const role = roleArn(env, "escape");
    expect(may("iam:CreateRole", role)).toBe("explicitly denied");
    expect(may("iam:CreateRole", role, `arn:aws:iam::${ACCOUNTS[env]}:policy/permissive`)).toBe("explicitly denied");
    expect(may("iam:CreateRole", role, boundaryArn(env))).toBe("allowed");
    expect(may("iam:CreateUser", `arn:aws:iam::${ACCOUNTS[env]}:user/escape`)).toBe("explicitly denied");
  });

  test("cannot take the boundary off a role, swap it, or give permissions to a role without it", () => {
    const role = roleArn(env, `${env}-velero`);
    expect(may("iam:DeleteRolePermissionsBoundary", role, boundaryArn(env))).toBe("explicitly denied");
    expect(may("iam:PutRolePermissionsBoundary", role, `arn:aws:iam::${ACCOUNTS[env]}:policy/permissive`)).toBe("explicitly denied");
    expect(may("iam:PutRolePermissionsBoundary", role, boundaryArn(env))).toBe("allowed");
    // A role of the account that has no boundary (the operators', the Organization's access role) stays out of reach.
    for (const action of ["iam:AttachRolePolicy", "iam:PutRolePolicy"]) {
      expect(may(action, roleArn(env, "OrganizationAccountAccessRole"))).toBe("explicitly denied");
      expect(may(action, role, boundaryArn(env))).toBe("allowed");
    }
  });

  test("creates every role the program creates, with the boundary it sets, and gives each its policies", () => {
    const roles = programs[env].ofType("aws:iam/role:Role");
    expect(roles.length).toBeGreaterThanOrEqual(5);
    for (const role of roles) {
      const arn = roleArn(env, role.inputs.name);
      expect([role.name, role.inputs.permissionsBoundary]).toEqual([role.name, boundaryArn(env)]);
      expect([role.name, may("iam:CreateRole", arn, role.inputs.permissionsBoundary)]).toEqual([role.name, "allowed"]);
      for (const action of ["iam:AttachRolePolicy", "iam:PutRolePolicy", "iam:DetachRolePolicy", "iam:DeleteRolePolicy"])
        expect([role.name, action, may(action, arn, role.inputs.permissionsBoundary)]).toEqual([role.name, action, "allowed"]);
    }
  });

  test("a role the program created, bounded alike, cannot create an unbounded one either", () => {
    const [role] = programs[env].ofType("aws:iam/role:Role");
    const created = roleArn(env, role.inputs.name);
    expect(bounded(env, created, "iam:CreateRole", roleArn(env, "escape"))).toBe("explicitly denied");
    expect(bounded(env, created, "iam:CreateRole", roleArn(env, "escape"), boundaryArn(env))).toBe("allowed");
  });

  test("writes records in the environment's public zone but cannot delete the zone or change its delegation", () => {
    const zone = `arn:aws:route53:::hostedzone/${bootstraps[env].outputs.hostedZoneId}`;
    expect(may("route53:ChangeResourceRecordSets", zone)).toBe("allowed");
    expect(may("route53:ListResourceRecordSets", zone)).toBe("allowed");
    expect(may("route53:DeleteHostedZone", zone)).toBe("explicitly denied");
    expect(may("route53:DisassociateVPCFromHostedZone", zone)).toBe("explicitly denied");
    expect(may("route53:DeleteHostedZone", "arn:aws:route53:::hostedzone/Z0OTHER")).toBe("allowed");
  });
});
