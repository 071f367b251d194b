import { z } from "zod";
import { parseCidr } from "../../lib/cidr";
import { BACKEND_URL_PATTERN } from "../../lib/backend-url";
import { cloudwatchRetentionDays } from "../aws-limits";
import {
  awsAccountId,
  cidr,
  containerResources,
  dnsLabel,
  hostname,
  ipv4Address,
  noDuplicates,
  nonNegativeInt,
  positiveInt,
} from "../primitives";
import { githubRepository } from "./tenancy";

/** A DIY backend in S3 as the bootstrap prints it (its `backendUrl` output). */
const backendUrl = z
  .string()
  .regex(BACKEND_URL_PATTERN, { message: "expected s3://<bucket>?region=<region>, the bootstrap's backendUrl output" });

/**
 * How a workload environment finds the admin hub: the outputs the admin stack publishes without secrets
 * (stacks/hub-outputs.ts), read before anything is registered; admin never reads the environments', so no cycle is possible.
 */
export const hubSection = z.strictObject({
  /** `<organization>/<project>/<stack>`; on a DIY backend the organization is `organization`. */
  stack: z.string().regex(/^[\w.-]+\/[\w.-]+\/[\w.-]+$/, { message: "expected <organization>/<project>/<stack>" }),
  /** The state bucket, where that stack publishes its outputs (`published/<project>/<stack>.json`): admin's admin.backendUrl. */
  backendUrl,
});

/**
 * Dex's LDAP connector speaks LDAPS unless startTLS is set: on the standard ports the combination is known,
 * and the wrong one fails only when the first user signs in.
 */
const LDAPS_PORT = 636;
/** Dex's groupSearch.nameAttr: the groups claim carries each group's pre-Windows 2000 name. */
const GROUP_NAME_ATTRIBUTE = "sAMAccountName";
const LDAP_PORT = 389;

const ldap = z
  .strictObject({
    host: z
      .string()
      .regex(/^[\w.-]+:[0-9]+$/, { message: "expected host:port such as ldap.corp.example.com:636" })
      .refine((v) => Number(v.split(":")[1]) >= 1 && Number(v.split(":")[1]) <= 65535, { message: "expected a port from 1 to 65535" }),
    /** Upgrade a plain connection (port 389) with StartTLS; otherwise the port must speak LDAPS. */
    startTLS: z.boolean().default(false),
    /** Base64 PEM of the CA that signed the directory's certificate; absent: the system trust store. */
    rootCAData: z
      .string()
      .regex(/^[A-Za-z0-9+/]+=*$/, { message: "expected base64-encoded PEM" })
      .optional(),
    bindDN: z.string().min(1),
    userSearch: z.strictObject({
      baseDN: z.string().min(1),
      filter: z.string().default("(objectClass=person)"),
      username: z.string().default("sAMAccountName"),
      idAttr: z.string().default("DN"),
      emailAttr: z.string().default("mail"),
      nameAttr: z.string().default("cn"),
    }),
    groupSearch: z.strictObject({
      baseDN: z.string().min(1),
      filter: z.string().default("(objectClass=group)"),
      userAttr: z.string().default("DN"),
      groupAttr: z.string().default("member"),
      /**
       * The group attribute that becomes the name in the groups claim, which RBAC and the dashboards match: it must
       * be one no one can give a second group. `sAMAccountName`, which Active Directory keeps unique among every
       * security principal of the domain; `cn` is unique only within one OU, so a group of the same name created in
       * any other OU under baseDN would grant its members that group's rights.
       */
      nameAttr: z
        .literal(GROUP_NAME_ATTRIBUTE, {
          message: `expected ${GROUP_NAME_ATTRIBUTE}, the group name Active Directory keeps unique in the domain (cn is unique only within an OU)`,
        })
        .default(GROUP_NAME_ATTRIBUTE),
    }),
  })
  .superRefine((ldap, ctx) => {
    const port = typeof ldap.host === "string" ? Number(ldap.host.split(":")[1]) : undefined;
    if (port === LDAPS_PORT && ldap.startTLS === true) {
      ctx.addIssue({
        code: "custom",
        path: ["startTLS"],
        message: `expected false with port ${LDAPS_PORT}: that port speaks LDAPS (TLS from the first byte), StartTLS is for port ${LDAP_PORT}`,
      });
    }
    if (port === LDAP_PORT && ldap.startTLS === false) {
      ctx.addIssue({
        code: "custom",
        path: ["startTLS"],
        message: `expected true with port ${LDAP_PORT}: without StartTLS Dex would speak LDAPS to a plain LDAP port (use ${LDAPS_PORT} for LDAPS)`,
      });
    }
  });

/** AWS Client VPN accepts client ranges from /12 to /22. */
const vpnClientCidr = cidr.refine(
  (v) => {
    const prefix = parseCidr(v)?.prefix ?? 0;
    return prefix >= 12 && prefix <= 22;
  },
  { message: "expected a CIDR from /12 to /22 (the sizes AWS Client VPN accepts)" },
);

/**
 * Runner containers, explicit so that the runners' namespace defaults (500m CPU, 512Mi limits) do not OOM-kill
 * builds and `pulumi up`. Build pods: job steps run in `runner`, image builds in the `buildkit` daemon; requests
 * sized so three build pods share a c7i.2xlarge node. Deploy pods run kubectl and helm.
 */
const BUILD_RESOURCES = {
  runner: { requests: { cpu: "1", memory: "2Gi" }, limits: { cpu: "2", memory: "4Gi" } },
  buildkit: { requests: { cpu: "1", memory: "2Gi" }, limits: { cpu: "4", memory: "8Gi" } },
};
const DEPLOY_RESOURCES = { requests: { cpu: "500m", memory: "2Gi" }, limits: { cpu: "2", memory: "4Gi" } };
/**
 * Platform runners run `pulumi up` (Node.js plus provider plugins) on Fargate, which sizes a pod by its requests
 * and runs it at guaranteed QoS, requests equal to limits (Amazon EKS User Guide, "Fargate Pod configuration").
 */
const PLATFORM_RESOURCES = { requests: { cpu: "2", memory: "4Gi" }, limits: { cpu: "2", memory: "4Gi" } };

/** An ECR repository of the hub (`registries.repositories`) → the GitHub repositories whose build jobs push to it. */
const pushSources = z.record(z.string().min(1), z.array(githubRepository).min(1).superRefine(noDuplicates("a repository")));

/** The admin hub: identity, CI, VPN and inter-VPC routing for every environment. */
export const adminSection = z.strictObject({
  dex: z.strictObject({ replicas: positiveInt, ldap }),
  ciRunners: z
    .strictObject({
      githubConfigUrl: z
        .string()
        .regex(/^https:\/\/github\.com\/[\w.-]+(\/[\w.-]+)?$/, { message: "expected https://github.com/<org>[/<repo>]" }),
      githubAppId: z.string().regex(/^[0-9]+$/, { message: "expected the GitHub App's numeric id (quote it in YAML)" }),
      githubAppInstallationId: z
        .string()
        .regex(/^[0-9]+$/, { message: "expected the numeric id of the App's installation (quote it in YAML)" }),
      /** Idle and maximum build runners (rootless BuildKit, no cloud credentials of their own). */
      minRunners: nonNegativeInt,
      maxRunners: positiveInt,
      /** Node pool (of cluster.nodePools) reserved for build runners: untrusted build steps get nodes of their own. */
      nodePool: dnsLabel,
      build: z.strictObject({
        /**
         * The GitHub runner group the build scale set registers in. Required: without one it joins the Default
         * group, which every repository of the organisation may use. Restrict it in GitHub to the repositories that
         * build here (runner groups: "Managing access to self-hosted runners using groups").
         */
        runnerGroup: z.string().min(1),
        runner: containerResources.default(BUILD_RESOURCES.runner),
        buildkit: containerResources.default(BUILD_RESOURCES.buildkit),
        /** The GitHub environment a build job names to push (its protection rules decide which refs may). */
        pushEnvironment: z.string().min(1).default("publish"),
        /** Who pushes to which hub repository: one push role per repository, for these repositories' jobs only. */
        pushFrom: pushSources.default({}),
      }),
      /**
       * Application deploy runners: they reach the environments' private API endpoints and hold no cloud role; a job
       * assumes its team's role per environment through GitHub OIDC (teams[].ci).
       */
      deploy: z
        .strictObject({
          runnerGroup: z.string().min(1).default("platform-deploy"),
          maxRunners: positiveInt.default(2),
          resources: containerResources.default(DEPLOY_RESOURCES),
        })
        .default({ runnerGroup: "platform-deploy", maxRunners: 2, resources: DEPLOY_RESOURCES }),
      /**
       * Platform delivery runners: where this repository's previews, deploys and drift checks run, since every
       * environment's API endpoint is reachable from the hub's private subnets only. They hold no cloud role: each
       * job gets the environment's deploy or preview role from GitHub OIDC, so pull-request code run here never
       * holds deploy rights. On Fargate, outside the node pools admin's own updates roll.
       */
      platform: z
        .strictObject({
          runnerGroup: z.string().min(1).default("platform-delivery"),
          maxRunners: positiveInt.default(4),
          resources: containerResources.default(PLATFORM_RESOURCES),
        })
        .default({ runnerGroup: "platform-delivery", maxRunners: 4, resources: PLATFORM_RESOURCES }),
    })
    .superRefine((runners, ctx) => {
      // The runner scale set refuses minRunners above maxRunners; each is checked on its own first.
      const { minRunners: min, maxRunners: max } = runners;
      if (Number.isInteger(min) && Number.isInteger(max) && max >= 1 && min > max) {
        ctx.addIssue({ code: "custom", path: ["minRunners"], message: `expected at most maxRunners (${max})` });
      }
    }),
  vpn: z.strictObject({
    clientCidr: vpnClientCidr,
    /**
     * An ACM certificate of the VPN endpoint; absent: the admin environment's own (`*.admin.<domain>`, issued by ACM
     * and renewed by it), which Client VPN accepts as a server certificate (docs/bootstrap.md, "The VPN's server certificate").
     */
    serverCertificateArn: z
      .string()
      .regex(/^arn:aws[a-z-]*:acm:[a-z0-9-]+:[0-9]{12}:certificate\/[\w-]+$/, { message: "expected an ACM certificate ARN" })
      .optional(),
    /** AWS Directory Service id (AD Connector to the corporate Active Directory). */
    directoryId: z.string().regex(/^d-[0-9a-f]{10}$/, { message: "expected a directory id such as d-1234567890" }),
    /** SID of the directory group allowed through the VPN: only its members connect (never every directory user). */
    accessGroupSid: z.string().regex(/^S-1-[0-9]+(-[0-9]+)+$/, { message: "expected an Active Directory group SID such as S-1-5-21-…" }),
    /** Client VPN DnsServers: IP addresses (the endpoint pushes them to clients, which cannot resolve a name to find them). */
    dnsServers: z
      .array(ipv4Address)
      .max(2, { message: "expected at most two DNS servers (a Client VPN limit)" })
      .default([])
      .superRefine(noDuplicates("a DNS server")),
    /** The connection log group in CloudWatch Logs. */
    connectionLogRetentionDays: cloudwatchRetentionDays.default(365),
  }),
  /** The environments that attach to the hub; their CIDRs are routed through the Transit Gateway and the VPN. */
  spokes: z
    .array(
      z.strictObject({
        name: dnsLabel,
        accountId: awsAccountId,
        vpcCidr: cidr,
      }),
    )
    .min(1),
  /** Public DNS name of Dex, inside the zone environment.hostedZoneId; defaults to `dex.admin.<domain>`. */
  dexHostname: hostname.optional(),
  /** The state bucket (the bootstrap's backendUrl): the outputs the spokes read are published there, without secrets. */
  backendUrl,
});
export type AdminConfig = z.infer<typeof adminSection>;
export type SpokeConfig = AdminConfig["spokes"][number];

/** Dex client ids of an environment's Grafana and Kibana; each needs a secret in `oidcClientSecrets`. */
export function dashboardClientIds(environment: string): { grafana: string; kibana: string } {
  return { grafana: `grafana-${environment}`, kibana: `kibana-${environment}` };
}
