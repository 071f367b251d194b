import { z } from "zod";
import { parseCidr } from "../../lib/cidr";
import { awsAccountId, awsRoleArn, cidr, dnsLabel, hostname, positiveInt } from "../primitives";

/** How a workload environment finds the admin hub: a Pulumi stack reference, so no cycle is possible. */
export const hubSection = z.strictObject({
  /** `<organization>/<project>/<stack>`; on a DIY backend the organization is `organization`. */
  stack: z.string().regex(/^[\w.-]+\/[\w.-]+\/[\w.-]+$/, { message: "expected <organization>/<project>/<stack>" }),
});

const ldap = z.strictObject({
  host: z.string().regex(/^[\w.-]+:[0-9]+$/, { message: "expected host:port such as ldap.corp.example.com:636" }),
  /** Upgrade a plain connection (port 389) with StartTLS; otherwise the port must speak LDAPS. */
  startTLS: z.boolean().default(false),
  /** Base64 PEM of the CA that signed the directory's certificate; absent: the system trust store. */
  rootCAData: z.string().regex(/^[A-Za-z0-9+/]+=*$/, { message: "expected base64-encoded PEM" }).optional(),
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
    nameAttr: z.string().default("cn"),
  }),
});

/** AWS Client VPN accepts client ranges from /12 to /22. */
const vpnClientCidr = cidr.refine((v) => {
  const prefix = parseCidr(v)?.prefix ?? 0;
  return prefix >= 12 && prefix <= 22;
}, { message: "expected a CIDR from /12 to /22 (the sizes AWS Client VPN accepts)" });

/** The admin hub: identity, CI, VPN and inter-VPC routing for every environment. */
export const adminSection = z.strictObject({
  dex: z.strictObject({ replicas: positiveInt, ldap }),
  ciRunners: z.strictObject({
    githubConfigUrl: z.string().regex(/^https:\/\/github\.com\/[\w.-]+(\/[\w.-]+)?$/, { message: "expected https://github.com/<org>[/<repo>]" }),
    githubAppId: z.string().regex(/^[0-9]+$/),
    githubAppInstallationId: z.string().regex(/^[0-9]+$/),
    /** Idle and maximum build runners (Docker-in-Docker, no cloud credentials). */
    minRunners: z.number().int().min(0),
    maxRunners: positiveInt,
    /** Node pool (of cluster.nodePools) reserved for build runners: they run privileged, so they get nodes of their own. */
    nodePool: dnsLabel,
    /** Deploy runners: the only pods holding the CI role, so only workflows GitHub admits to this runner group can deploy. */
    deploy: z.strictObject({ runnerGroup: z.string().min(1).default("platform-deploy"), maxRunners: positiveInt.default(2) }).default({ runnerGroup: "platform-deploy", maxRunners: 2 }),
  }),
  vpn: z.strictObject({
    clientCidr: vpnClientCidr,
    /** ACM certificate of the VPN endpoint. */
    serverCertificateArn: z.string().regex(/^arn:aws[a-z-]*:acm:[a-z0-9-]+:[0-9]{12}:certificate\/[\w-]+$/, { message: "expected an ACM certificate ARN" }),
    /** AWS Directory Service id (AD Connector to the corporate Active Directory). */
    directoryId: z.string().regex(/^d-[0-9a-f]{10}$/, { message: "expected a directory id such as d-1234567890" }),
    /** SID of the directory group allowed through the VPN; absent: every user the directory authenticates. */
    accessGroupSid: z.string().regex(/^S-1-[0-9]+(-[0-9]+)+$/, { message: "expected an Active Directory group SID such as S-1-5-21-…" }).optional(),
    dnsServers: z.array(z.string()).max(2, { message: "expected at most two DNS servers (a Client VPN limit)" }).default([]),
    connectionLogRetentionDays: positiveInt.default(365),
  }),
  /** The environments that attach to the hub; their CIDRs are routed through the Transit Gateway and the VPN. */
  spokes: z
    .array(
      z.strictObject({
        name: dnsLabel,
        accountId: awsAccountId,
        vpcCidr: cidr,
        /** The environment's `aws.deployRoleArn`: the CI role may assume it to run that environment's `pulumi up`. */
        deployRoleArn: awsRoleArn,
      }),
    )
    .min(1),
  /** Public DNS name of Dex, inside the zone environment.hostedZoneId; defaults to `dex.admin.<domain>`. */
  dexHostname: hostname.optional(),
});
export type AdminConfig = z.infer<typeof adminSection>;
export type SpokeConfig = AdminConfig["spokes"][number];

/** Dex client ids of an environment's Grafana and Kibana; each needs a secret in `oidcClientSecrets`. */
export function dashboardClientIds(environment: string): { grafana: string; kibana: string } {
  return { grafana: `grafana-${environment}`, kibana: `kibana-${environment}` };
}
