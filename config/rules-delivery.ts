/**
 * Every AWS environment is previewed and deployed from the hub's platform runners (admin.ciRunners.platform, in
 * admin's private subnets), since the API endpoints are private. What lets those runners reach an environment's
 * API is on both sides: admin lists the environment in `admin.spokes` (its Transit Gateway route, the VPN route,
 * the prefix list the environment's API rule admits), and the environment attaches to that hub with the same
 * VPC range and account. An environment the hub does not list, or lists differently, is one its deploy runner
 * cannot reach: refused here, before anything is registered, reading admin's committed stack file.
 * (A public endpoint also admits the hub's NAT addresses: components/cluster/eks.ts.)
 */
import { committedStackConfig, PROJECT_DIR } from "./committed-stacks";
import { WORKLOAD_ENVIRONMENTS } from "./sections/environment";
import type { Rule, Violation } from "./violation";

/** The hub: the stack whose runners deploy every environment (its stack file is `Pulumi.admin.yaml`). */
export const HUB_STACK = "admin";

interface CommittedSpoke {
  readonly name?: string;
  readonly accountId?: string;
  readonly vpcCidr?: string;
}

/** admin.spokes of the hub's committed stack file; undefined when this checkout has no file for that stack. */
function committedSpokes(projectDir: string, hubStack: string): CommittedSpoke[] | undefined {
  const config = committedStackConfig(hubStack, projectDir);
  return config && (config["platform:admin"]?.spokes ?? []);
}

export function deployRunnersReach(projectDir = PROJECT_DIR): Rule {
  return (c) => {
    const kind = c.environment.kind;
    if (!WORKLOAD_ENVIRONMENTS.includes(kind) || c.cluster.mode !== "eks" || !c.aws || !c.network) return [];
    if (!c.hub) return [];
    const hubStack = c.hub.stack.split("/").pop()!;
    const where = `Pulumi.${hubStack}.yaml`;
    const spokes = committedSpokes(projectDir, hubStack);
    if (!spokes) return [];
    const spoke = spokes.find((s) => s.name === kind);
    if (!spoke) {
      return [
        {
          path: "hub.stack",
          expected: `a hub whose admin.spokes lists ${kind} (${where} lists ${spokes.map((s) => s.name).join(", ") || "none"}): ${kind} is deployed by the hub's runners, which reach only its spokes`,
        },
      ];
    }
    const mismatches: Violation[] = [];
    const published = committedStackConfig(hubStack, projectDir)?.["platform:admin"]?.backendUrl;
    if (published !== undefined && c.hub.backendUrl !== published) {
      mismatches.push({
        path: "hub.backendUrl",
        expected: `${published}, where the hub publishes the outputs ${kind} reads (admin.backendUrl in ${where})`,
      });
    }
    if (spoke.vpcCidr !== c.network.vpcCidr) {
      mismatches.push({
        path: "network.vpcCidr",
        expected: `${spoke.vpcCidr}, the range admin.spokes[${kind}] routes in ${where}: the hub's deploy runners would route elsewhere`,
      });
    }
    if (spoke.accountId !== c.aws.accountId) {
      mismatches.push({
        path: "aws.accountId",
        expected: `${spoke.accountId}, the account admin.spokes[${kind}] shares the Transit Gateway and the runners' prefix list with in ${where}`,
      });
    }
    return mismatches;
  };
}

/** The tag on admin's EKS cluster that the policy pack's `aws-eks-private-endpoint` reads (policy/policies/aws/eks.ts). */
export const BOOTSTRAP_ACCESS_TAG = "platform.example.io/bootstrap-access-until";
const BOOTSTRAP_ACCESS_MAX_DAYS = 7;
const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * admin's first deployment reaches its private endpoint through a public one open to the operator, for a few
 * days at most: long enough to deploy admin and let its platform runners take over, short enough that a
 * forgotten allowance ends by itself (the config is refused past `until`, so the next deploy closes it).
 */
export function bootstrapAccessIsTimeBoxed(now: () => number = Date.now): Rule {
  return (c) => {
    if (c.cluster.mode !== "eks" || !c.cluster.bootstrapAccess) return [];
    const path = "cluster.bootstrapAccess";
    if (c.environment.kind !== HUB_STACK) {
      return [
        {
          path,
          expected: `nothing: only ${HUB_STACK}'s first deployment needs it; ${c.environment.kind} is deployed from the hub's runners`,
        },
      ];
    }
    const until = Date.parse(c.cluster.bootstrapAccess.until);
    if (until <= now()) {
      return [
        {
          path: `${path}.until`,
          expected: `a time still ahead: the allowance ended; remove ${path} so that the endpoint is private again, and deploy from the hub's platform runners`,
        },
      ];
    }
    if (until > now() + BOOTSTRAP_ACCESS_MAX_DAYS * DAY_MS) {
      return [
        {
          path: `${path}.until`,
          expected: `at most ${BOOTSTRAP_ACCESS_MAX_DAYS} days ahead: a public admin endpoint is for the first deployment only`,
        },
      ];
    }
    return [];
  };
}

export const DELIVERY_RULES: Rule[] = [deployRunnersReach(), bootstrapAccessIsTimeBoxed()];
