import { z } from "zod";
import { awsAccountId, cidr, dnsLabel, hostname, positiveInt } from "../primitives";

/** How a workload environment finds the admin hub: a Pulumi stack reference, so no cycle is possible. */
export const hubSection = z.strictObject({
  /** `<organization>/<project>/<stack>`; on a DIY backend the organization is `organization`. */
  stack: z.string().regex(/^[\w.-]+\/[\w.-]+\/[\w.-]+$/, { message: "expected <organization>/<project>/<stack>" }),
});

const ldap = z.strictObject({
  host: z.string().regex(/^[\w.-]+:[0-9]+$/, { message: "expected host:port such as ldap.corp.example.com:636" }),
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

/** The admin hub: identity, CI, VPN and inter-VPC routing for every environment. */
export const adminSection = z.strictObject({
  dex: z.strictObject({ replicas: positiveInt, ldap }),
  ciRunners: z.strictObject({
    githubConfigUrl: z.string().regex(/^https:\/\/github\.com\/[\w.-]+(\/[\w.-]+)?$/, { message: "expected https://github.com/<org>[/<repo>]" }),
    githubAppId: z.string().regex(/^[0-9]+$/),
    githubAppInstallationId: z.string().regex(/^[0-9]+$/),
    minRunners: z.number().int().min(0),
    maxRunners: positiveInt,
  }),
  vpn: z.strictObject({
    clientCidr: cidr,
    /** ACM certificate of the VPN endpoint. */
    serverCertificateArn: z.string().regex(/^arn:aws[a-z-]*:acm:[a-z0-9-]+:[0-9]{12}:certificate\/[\w-]+$/, { message: "expected an ACM certificate ARN" }),
    /** AWS Directory Service id (AD Connector to the corporate Active Directory). */
    directoryId: z.string().regex(/^d-[0-9a-f]{10}$/, { message: "expected a directory id such as d-1234567890" }),
    dnsServers: z.array(z.string()).default([]),
  }),
  /** The environments that attach to the hub; their CIDRs are routed through the Transit Gateway and the VPN. */
  spokes: z.array(z.strictObject({ name: dnsLabel, accountId: awsAccountId, vpcCidr: cidr })).min(1),
  /** Public DNS name of Dex; defaults to `dex.admin.<domain>`. */
  dexHostname: hostname.optional(),
});
export type AdminConfig = z.infer<typeof adminSection>;
