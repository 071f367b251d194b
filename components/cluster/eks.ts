import * as aws from "@pulumi/aws";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { EksClusterConfig } from "../../config/sections/cluster";
import { BOOTSTRAP_ACCESS_TAG } from "../../config/rules-delivery";
import { PlatformConfig } from "../../config/schema";
import { Naming } from "../../lib/naming";
import { boundedRole, managedPolicyArn } from "../aws-account";
import { clusterAdmins, clusterPreviewer } from "./eks-access";
import { ClusterAccess, ClusterHandle } from "./handle";
import { eksKubeconfig } from "./kubeconfig";

export interface EksClusterArgs {
  readonly awsProvider: aws.Provider;
  readonly naming: Naming;
  /** Physical cluster name, known before the cluster exists (the subnets are tagged with it). */
  readonly clusterName: string;
  readonly cluster: EksClusterConfig;
  readonly region: string;
  readonly partition: string;
  /** The role every deployment runs as; it gets a cluster-admin access entry so that the provider can work. */
  readonly deployRoleArn: string;
  /** The role previews run as; it gets a view-only access entry. */
  readonly previewRoleArn: string;
  /** Where the control plane places its network interfaces: private subnets only. */
  readonly subnetIds: pulumi.Input<string>[];
  /** The VPC of those subnets, where the API endpoint's own security group lives. */
  readonly vpcId: pulumi.Input<string>;
  /** OIDC sign-in for people (kubectl through Dex); the groups claim feeds the RBAC bindings. */
  readonly oidc: PlatformConfig["identity"]["oidc"];
  /** Issuer of the tokens people sign in with: config, or Dex of the admin hub. */
  readonly oidcIssuerUrl: pulumi.Input<string>;
  /** The hub's NAT addresses, added to a public endpoint's allow-list (absent on the hub itself). */
  readonly hubNatCidrs?: pulumi.Input<string[]>;
  /**
   * Creates what makes the API reachable from where deployments run, given the API endpoint's security group (a
   * spoke: the Transit Gateway routes and the rule admitting the hub's runners). The Kubernetes providers wait for
   * what it returns: without it they would reach the endpoint only because EKS takes longer to create.
   */
  readonly apiReachability?: (apiSecurityGroupId: pulumi.Output<string>) => pulumi.Resource[];
  /** `protect` the cluster and its key, and keep the key and the audit logs on delete (prod). */
  readonly protect: boolean;
}

/**
 * An EKS control plane: private API endpoint, access entries instead of `aws-auth`, Secrets encrypted with
 * a rotating KMS key, the configured control-plane logs, IRSA, and Dex as an OIDC identity provider.
 * Node pools and add-ons are separate components, so that a composition can order them around the CNI.
 */
export class EksCluster extends pulumi.ComponentResource implements ClusterHandle {
  /** Reaches the API as soon as the control plane and the deploy role's access entry exist, before any node. */
  readonly provider: k8s.Provider;
  readonly name: pulumi.Output<string>;
  /** Changes only when the cluster is replaced: what the Kubernetes providers are replaced on. */
  readonly endpoint: pulumi.Output<string>;
  readonly kubeconfig: pulumi.Output<string>;
  readonly access: ClusterAccess;
  readonly irsa: { readonly oidcProviderArn: pulumi.Output<string>; readonly oidcIssuer: pulumi.Output<string> };
  /** `https://…` issuer of the cluster's service-account tokens. */
  readonly oidcIssuerUrl: pulumi.Output<string>;
  /**
   * A security group on the API endpoint's interfaces only: rules that let other networks reach the private API
   * go here. EKS's own cluster security group is shared with every managed node, so a rule there opens the
   * nodes too.
   */
  readonly apiSecurityGroupId: pulumi.Output<string>;
  private readonly componentName: string;
  private readonly admins: aws.eks.AccessPolicyAssociation[];
  private readonly apiPath: pulumi.Resource[];

  constructor(name: string, args: EksClusterArgs, opts?: pulumi.ComponentResourceOptions) {
    super("platform:cluster:EksCluster", name, {}, opts);
    const { cluster: config, naming, protect } = args;
    const childOpts = { parent: this, provider: args.awsProvider };
    this.componentName = name;

    const role = boundedRole(
      `${name}-role`,
      {
        name: naming.resource("eks-cluster"),
        assumeRolePolicy: JSON.stringify({
          Version: "2012-10-17",
          Statement: [{ Effect: "Allow", Principal: { Service: "eks.amazonaws.com" }, Action: ["sts:AssumeRole", "sts:TagSession"] }],
        }),
      },
      childOpts,
    );
    const clusterPolicy = new aws.iam.RolePolicyAttachment(
      `${name}-role-policy`,
      { role: role.name, policyArn: managedPolicyArn(args.partition, "AmazonEKSClusterPolicy") },
      childOpts,
    );

    // Losing this key makes every Secret in etcd unreadable: retained even when the stack is destroyed,
    // and the longest deletion window so that a scheduled deletion can still be cancelled.
    const key = new aws.kms.Key(
      `${name}-secrets-key`,
      {
        description: `Envelope encryption of Kubernetes Secrets in ${args.clusterName}`,
        enableKeyRotation: true,
        deletionWindowInDays: 30,
      },
      { ...childOpts, protect, retainOnDelete: protect },
    );
    new aws.kms.Alias(`${name}-secrets-key`, { name: `alias/${args.clusterName}-secrets`, targetKeyId: key.arn }, childOpts);

    // Created before the cluster: EKS would otherwise create this group itself, with no retention limit.
    const logGroup = new aws.cloudwatch.LogGroup(
      `${name}-logs`,
      { name: `/aws/eks/${args.clusterName}/cluster`, retentionInDays: config.logRetentionDays },
      { ...childOpts, retainOnDelete: protect },
    );

    // EKS attaches vpcConfig.securityGroupIds to the control plane's cross-account interfaces and nothing else
    // (aws.eks.Cluster ClusterVpcConfig). Added to an existing cluster it is an in-place update (EKS
    // UpdateClusterConfig; terraform-provider-aws 5.25.0 made security_group_ids updatable), not a replacement.
    const apiSecurityGroup = new aws.ec2.SecurityGroup(
      `${name}-api`,
      {
        name: naming.resource("eks-api"),
        description: "Kubernetes API endpoint: HTTPS from other networks (hub deploy runners, VPN users)",
        vpcId: args.vpcId,
        tags: { Name: naming.resource("eks-api") },
      },
      childOpts,
    );
    const bootstrapCidrs = config.bootstrapAccess?.cidrs ?? [];
    const publicAccess = config.publicAccessCidrs.length + bootstrapCidrs.length > 0;
    // With the public endpoint on, EKS publishes the endpoint's name as its public addresses to everyone outside
    // this VPC, the hub's VPC included, so the hub's runners and VPN users reach it through the hub's NAT gateways,
    // not the Transit Gateway (EKS User Guide, "Cluster API server endpoint": private addresses are published only
    // when public access is off). Their addresses are admitted next to the configured ones.
    const publicAccessCidrs = publicAccess
      ? pulumi.output(args.hubNatCidrs ?? []).apply((hub) => [...config.publicAccessCidrs, ...bootstrapCidrs, ...hub])
      : undefined;
    const eks = new aws.eks.Cluster(
      `${name}-eks`,
      {
        name: args.clusterName,
        version: config.kubernetesVersion,
        roleArn: role.arn,
        vpcConfig: {
          subnetIds: args.subnetIds,
          endpointPrivateAccess: true,
          endpointPublicAccess: publicAccess,
          publicAccessCidrs,
          securityGroupIds: [apiSecurityGroup.id],
        },
        accessConfig: { authenticationMode: "API", bootstrapClusterCreatorAdminPermissions: false },
        // No self-managed aws-node/kube-proxy/CoreDNS: the managed add-ons own them, and with Calico as the
        // CNI there is no aws-node DaemonSet to remove first.
        bootstrapSelfManagedAddons: false,
        // Each type is billed as CloudWatch ingestion; all go to the one group EKS writes to, with its retention.
        enabledClusterLogTypes: config.controlPlaneLogTypes,
        encryptionConfig: { provider: { keyArn: key.arn }, resources: ["secrets"] },
        kubernetesNetworkConfig: { serviceIpv4Cidr: config.serviceCidr },
        deletionProtection: protect,
        // Explicit: the EKS API defaults to EXTENDED (UpgradePolicyRequest), which lets a cluster left on an old
        // minor move silently into extended support, billed per cluster hour on top of standard. STANDARD has EKS
        // upgrade it at the end of standard support instead; EXTENDED is a config choice the policy pack reports.
        upgradePolicy: { supportType: config.supportType },
        tags: config.bootstrapAccess ? { [BOOTSTRAP_ACCESS_TAG]: config.bootstrapAccess.until } : undefined,
      },
      { ...childOpts, protect, dependsOn: [logGroup, clusterPolicy] },
    );
    this.name = eks.name;
    this.endpoint = eks.endpoint;
    this.apiSecurityGroupId = apiSecurityGroup.id;
    this.apiPath = args.apiReachability?.(this.apiSecurityGroupId) ?? [];

    this.admins = clusterAdmins(
      `${name}-admin`,
      { clusterName: eks.name, principalArns: [...config.adminRoleArns, args.deployRoleArn], partition: args.partition },
      childOpts,
    );
    clusterPreviewer(
      `${name}-previewer`,
      { clusterName: eks.name, principalArn: args.previewRoleArn, partition: args.partition },
      childOpts,
    );

    this.oidcIssuerUrl = eks.identities.apply((identities) => identities[0].oidcs[0].issuer);
    const oidcProvider = new aws.iam.OpenIdConnectProvider(
      `${name}-irsa`,
      { url: this.oidcIssuerUrl, clientIdLists: ["sts.amazonaws.com"] },
      childOpts,
    );
    this.irsa = { oidcProviderArn: oidcProvider.arn, oidcIssuer: this.oidcIssuerUrl.apply((url) => url.replace(/^https:\/\//, "")) };

    new aws.eks.IdentityProviderConfig(
      `${name}-oidc`,
      {
        clusterName: eks.name,
        oidc: {
          identityProviderConfigName: "dex",
          issuerUrl: args.oidcIssuerUrl,
          clientId: args.oidc.clientId,
          usernameClaim: args.oidc.usernameClaim,
          usernamePrefix: args.oidc.usernamePrefix,
          groupsClaim: args.oidc.groupsClaim,
          groupsPrefix: args.oidc.groupsPrefix,
        },
      },
      childOpts,
    );

    this.kubeconfig = pulumi.secret(
      eksKubeconfig({
        clusterName: eks.name,
        endpoint: eks.endpoint,
        certificateAuthorityData: eks.certificateAuthority.data,
        region: args.region,
      }),
    );
    // Without an identifier, any change to the kubeconfig (endpoint, CA, role) replaces the provider, and
    // with it every object in the cluster (pulumi/pulumi-kubernetes#4522). Only a new cluster is a new cluster.
    this.access = { kubeconfig: this.kubeconfig, identifier: pulumi.interpolate`${eks.arn}@${eks.createdAt}` };
    this.provider = this.kubernetesProvider(`${name}-provider`, []);

    this.registerOutputs({
      name: this.name,
      endpoint: this.endpoint,
      kubeconfig: this.kubeconfig,
      oidcProviderArn: this.irsa.oidcProviderArn,
    });
  }

  /**
   * The cluster as the layers above it see it. Its provider creates objects only once `ready` (nodes, DNS,
   * storage) exists, so that workloads never wait on nodes with a timeout; and on destroy it deletes every
   * object while nodes and the storage driver still run, so volumes and load balancers are released first.
   */
  schedulable(ready: pulumi.Resource[]): ClusterHandle {
    return {
      provider: this.kubernetesProvider(`${this.componentName}-workloads-provider`, ready),
      name: this.name,
      irsa: this.irsa,
      access: this.access,
    };
  }

  private kubernetesProvider(resourceName: string, ready: pulumi.Resource[]): k8s.Provider {
    return new k8s.Provider(
      resourceName,
      { kubeconfig: this.kubeconfig, enableServerSideApply: true, clusterIdentifier: this.access.identifier },
      // The deploy role can call the API only once its access policy is associated and a network path to it exists.
      { parent: this, dependsOn: [...this.admins, ...this.apiPath, ...ready] },
    );
  }
}
