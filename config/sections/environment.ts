import { z } from "zod";
import { AWS_REGIONS } from "../../lib/aws-regions";
import { tagValue } from "../aws-limits";
import { awsAccountId, awsRoleArn, hostname } from "../primitives";

export const ENVIRONMENTS = ["e2e", "stage", "prod", "admin", "local"] as const;
/** The environments that run teams' workloads on EKS, with the admin hub's runners and sign-in. */
export const WORKLOAD_ENVIRONMENTS: readonly string[] = ["e2e", "stage", "prod"];
export type EnvironmentName = (typeof ENVIRONMENTS)[number];

export const environmentSection = z.strictObject({
  /** Must equal the stack name: a guard against deploying one environment's file to another stack. */
  kind: z.enum(ENVIRONMENTS),
  /** Parent domain: services are published as `<service>.<env>.<domain>`. */
  domain: hostname,
  /** Route53 hosted zone of `<env>.<domain>`, used by DNS-01 certificate challenges. */
  hostedZoneId: z
    .string()
    .regex(/^Z[A-Z0-9]{4,32}$/, {
      message: "expected a Route53 hosted zone id such as Z0123456789ABCDEFGHIJ (without the /hostedzone/ prefix)",
    })
    .optional(),
  /** `owner` and `cost-centre` tags of every AWS resource of the environment (lib/naming.ts). */
  owner: tagValue,
  costCentre: tagValue,
  /** `protect` stateful resources and retain data on delete (prod). */
  protectStatefulResources: z.boolean().default(false),
});

export const awsSection = z.strictObject({
  region: z
    .string()
    .regex(/^[a-z]{2}(-gov)?-[a-z]+-[0-9]$/, { message: "expected an AWS region such as eu-west-1" })
    .refine((region) => AWS_REGIONS.includes(region), {
      message:
        "expected a Region listed in lib/aws-regions.ts (its Availability Zones are checked against that table; add a new Region there)",
    }),
  accountId: awsAccountId,
  /**
   * The role `pulumi up` runs as: its GitHub OIDC trust admits only jobs in the environment's GitHub environment
   * (past the approval gate), and its EKS access entry is cluster-admin. The program takes its credentials from
   * the job; it assumes no role itself, so that previews can run as the preview role with the same program.
   */
  deployRoleArn: awsRoleArn,
  /**
   * The role previews and drift checks run as: read-only in AWS, and an EKS access entry that lets the Kubernetes
   * provider dry-run but not change anything (components/cluster/eks-access.ts).
   */
  previewRoleArn: awsRoleArn,
});
