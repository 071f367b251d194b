/**
 * Rules of the CI identities (components/ci-runners, components/registry/push-access.ts): teams' deploy roles, the
 * hub's runner groups and push roles, and the platform runners' Fargate shape.
 */
import { parseQuantity } from "./quantity";
import { WORKLOAD_ENVIRONMENTS } from "./sections/environment";
import type { TeamConfig } from "./sections/tenancy";
import type { Rule, Violation } from "./violation";

/** IAM: "The name can contain up to 64 characters" (CreateRole, RoleName). */
export const IAM_ROLE_NAME_LIMIT = 64;

/** `<environment>-ci-<team>`: the team's CI role in its environment's account. */
export function teamCiRoleName(environment: string, team: string): string {
  return `${environment}-ci-${team}`;
}

/** `<hub>-push-<repository>`, `/` written as `-`: the push role of one hub repository. */
export function pushRoleName(hub: string, repository: string): string {
  return `${hub}-push-${repository.replaceAll("/", "-")}`;
}

/** Teams with CI, wherever they are declared (an environment's stack or a tenancy shard): their role name must fit IAM. */
export function teamCiRolesFit(environment: string, teams: readonly TeamConfig[]): Violation[] {
  return teams.flatMap((team, i) => {
    const name = teamCiRoleName(environment, team.name);
    return team.ci && name.length > IAM_ROLE_NAME_LIMIT
      ? [
          {
            path: `teams[${i}].name`,
            expected: `a name of at most ${IAM_ROLE_NAME_LIMIT - teamCiRoleName(environment, "").length} characters for a team with ci: its CI role ${name} is longer than IAM's ${IAM_ROLE_NAME_LIMIT}`,
          },
        ]
      : [];
  });
}

/**
 * A team's CI identity is an IAM role with an EKS access entry in a workload environment (not local, not the hub),
 * whose API endpoint the hub's runners reach.
 */
const teamCiNeedsAWorkloadCluster: Rule = (c) => [
  ...(c.cluster.mode === "eks" && WORKLOAD_ENVIRONMENTS.includes(c.environment.kind)
    ? []
    : c.teams.flatMap((team, i) =>
        team.ci
          ? [
              {
                path: `teams[${i}].ci`,
                expected: `no ci section in ${c.environment.kind}: teams' CI roles are EKS access entries of ${WORKLOAD_ENVIRONMENTS.join(", ")}`,
              },
            ]
          : [],
      )),
  ...teamCiRolesFit(c.environment.kind, c.teams),
];

/**
 * The platform runners run where this repository's deploy roles are assumed: their runner group must be one no
 * other scale set uses, so that restricting it to this repository in GitHub keeps every other repository out.
 */
const runnerGroupsKeepPlatformApart: Rule = (c) => {
  if (!c.admin) return [];
  const { build, deploy, platform } = c.admin.ciRunners;
  const shared = [
    ["build", build.runnerGroup],
    ["deploy", deploy.runnerGroup],
  ].find(([, group]) => group === platform.runnerGroup);
  return shared
    ? [
        {
          path: "admin.ciRunners.platform.runnerGroup",
          expected: `a runner group of its own (admin.ciRunners.${shared[0]}.runnerGroup is "${shared[1]}" too): every repository allowed there could take the platform's deploy jobs`,
        },
      ]
    : [];
};

/** Every hub repository has its pushers, each a real hub repository, and each push role name fits IAM and is its own. */
const pushSourcesNameHubRepositories: Rule = (c) => {
  if (!c.admin) return [];
  const { pushFrom } = c.admin.ciRunners.build;
  const repositories = c.registries.repositories;
  const violations: Violation[] = [];
  for (const repository of Object.keys(pushFrom)) {
    if (!repositories.includes(repository)) {
      violations.push({
        path: `admin.ciRunners.build.pushFrom["${repository}"]`,
        expected: `a repository of registries.repositories (${repositories.join(", ") || "none"})`,
      });
    }
  }
  const roles = new Map<string, string>();
  repositories.forEach((repository, i) => {
    if (!(repository in pushFrom)) {
      violations.push({
        path: `registries.repositories[${i}]`,
        expected: `a repository with its pushers in admin.ciRunners.build.pushFrom["${repository}"]: the GitHub repositories whose build jobs push "${repository}"`,
      });
      return;
    }
    const role = pushRoleName(c.environment.kind, repository);
    const clash = roles.get(role);
    if (role.length > IAM_ROLE_NAME_LIMIT || clash) {
      violations.push({
        path: `registries.repositories[${i}]`,
        expected: clash
          ? `a name whose push role is not also "${clash}"'s (${role})`
          : `a name whose push role ${role} fits IAM's ${IAM_ROLE_NAME_LIMIT} characters`,
      });
    }
    roles.set(role, repository);
  });
  return violations;
};

/** Fargate's vCPU sizes (Amazon EKS User Guide, "Fargate Pod configuration"). */
const FARGATE_VCPUS = [0.25, 0.5, 1, 2, 4, 8, 16];

/** Fargate provisions a pod by its requests and runs it at guaranteed QoS: requests equal limits, a vCPU size it offers. */
const platformRunnersFitFargate: Rule = (c) => {
  if (!c.admin) return [];
  const key = "admin.ciRunners.platform.resources";
  const { requests, limits } = c.admin.ciRunners.platform.resources;
  const violations: Violation[] = [];
  for (const resource of ["cpu", "memory"] as const) {
    if (parseQuantity(requests[resource]) !== parseQuantity(limits[resource])) {
      violations.push({
        path: `${key}.requests.${resource}`,
        expected: `limits.${resource} (${limits[resource]}): the platform runners run on Fargate, which sizes a pod by its requests and holds it to them`,
      });
    }
  }
  if (!FARGATE_VCPUS.includes(parseQuantity(requests.cpu) ?? -1)) {
    violations.push({ path: `${key}.requests.cpu`, expected: `one of Fargate's vCPU sizes (${FARGATE_VCPUS.join(", ")})` });
  }
  return violations;
};

export const CI_RULES: Rule[] = [
  teamCiNeedsAWorkloadCluster,
  runnerGroupsKeepPlatformApart,
  pushSourcesNameHubRepositories,
  platformRunnersFitFargate,
];
