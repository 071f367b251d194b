import { preChangeBackup, preChangeBackupName } from "../../components/backups";
import { toGoDuration } from "../../lib/duration";
import { UNSCOPABLE_DESCRIBE_ACTIONS } from "../../components/backups/policy";
import { UNSCOPABLE_DISCOVERY_ACTIONS } from "../../components/cluster-autoscaler/policy";
import { BALANCING_IGNORED_LABELS, expanderPriorities } from "../../components/cluster-autoscaler/values";
import { CHARTS, IMAGES } from "../../lib/versions";
import { RegistriesConfig, registriesSection } from "../../config/sections/registries";
import { backupOutcome, parseBackupArgs } from "../../scripts/backup";
import { UsageError } from "../../scripts/lib/command";
import { EKS_STACKS, readStackConfig, RecordedResource, runStack, StackConfig, StackRun } from "../../mock-engine";
import { runsBeforeAll } from "../stack-runs";

const runs = runsBeforeAll(EKS_STACKS, 180_000);

const config = (stack: string) => readStackConfig(stack);
const services = (stack: string) => config(stack)["platform:services"];
/** The stack's registries section with the schema's defaults. */
const registries = (stack: string): RegistriesConfig => registriesSection.parse(config(stack)["platform:registries"] ?? {});
const calicoIsTheCni = (stack: string) => config(stack)["platform:calico"]?.mode === "cni";

/** Actions IAM cannot scope to a resource; the only ones a role of these services may hold on "*". */
// ECR's login takes no resource (ECR User Guide, "Private registry authentication"): every push role needs it.
const UNSCOPABLE = [...UNSCOPABLE_DISCOVERY_ACTIONS, ...UNSCOPABLE_DESCRIBE_ACTIONS, "ecr:GetAuthorizationToken"];
const COMPONENTS = [
  "platform:cert-manager:CertManager",
  "platform:cluster-autoscaler:ClusterAutoscaler",
  "platform:backups:Backups",
  "platform:registry:Registry",
];

const inComponent = (r: RecordedResource, component: string) => r.urn.includes(`::${component}`) || r.urn.includes(`${component}$`);
const ofComponent = (run: StackRun, component: string) => run.resources.filter((r) => inComponent(r, component));
const chart = (run: StackRun, name: string) => run.one("kubernetes:helm.sh/v4:Chart", name);
const rolePolicy = (run: StackRun, name: string) => JSON.parse(run.one("aws:iam/rolePolicy:RolePolicy", name).inputs.policy);
const asList = <T>(value: T | T[]): T[] => (Array.isArray(value) ? value : [value]);
const bucketPart = (run: StackRun, type: string) => {
  const [part] = run.ofType(`aws:s3/${type}`).filter((r) => inComponent(r, "platform:backups:Backups"));
  expect(part).toBeDefined();
  return part;
};

describe.each(EKS_STACKS)("%s", (stack) => {
  let run: StackRun;
  beforeAll(() => {
    run = runs[stack];
  });

  test("chart and image versions are the pinned ones", () => {
    const certManager = run.one("kubernetes-cert-manager:index:CertManager", "cert-manager-release").inputs.helmOptions;
    expect(certManager).toMatchObject({
      chart: "cert-manager",
      version: CHARTS.certManager.version,
      repositoryOpts: { repo: CHARTS.certManager.repo },
      values: { crds: { enabled: true } },
    });
    expect(run.one("kubernetes-cert-manager:index:CertManager", "cert-manager-release").inputs).not.toHaveProperty("installCRDs");
    const autoscaler = chart(run, "cluster-autoscaler-chart").inputs;
    expect(autoscaler).toMatchObject({
      chart: "cluster-autoscaler",
      version: CHARTS.clusterAutoscaler.version,
      repositoryOpts: { repo: CHARTS.clusterAutoscaler.repo },
    });
    const minor = config(stack)["platform:cluster"].kubernetesVersion as "1.33";
    // registry.k8s.io through the environment's cache of it (every AWS stack configures one).
    const k8sImage = IMAGES.clusterAutoscaler.repository.replace("registry.k8s.io/", `${run.outputs.registryHost}/k8s/`);
    expect(autoscaler.values.image).toEqual({ repository: k8sImage, tag: IMAGES.clusterAutoscaler.tagByKubernetesMinor[minor] });
    const velero = chart(run, "backups-chart").inputs;
    expect(velero).toMatchObject({ chart: "velero", version: CHARTS.velero.version, repositoryOpts: { repo: CHARTS.velero.repo } });
    // Docker Hub images through the environment's pull-through cache (every AWS stack configures one).
    const dockerHub = `${run.outputs.registryHost}/docker-hub/`;
    expect(`${velero.values.image.repository}:${velero.values.image.tag}`).toBe(dockerHub + IMAGES.velero);
    expect(velero.values.initContainers.map((c: { image: string }) => c.image)).toEqual([dockerHub + IMAGES.veleroPluginForAws]);
    for (const version of [certManager.version, autoscaler.version, velero.version, autoscaler.values.image.tag, velero.values.image.tag]) {
      expect(version).toMatch(/^v?\d+\.\d+\.\d+$/);
    }
  });

  test('IAM policies hold "*" only for actions IAM cannot scope, and never a wildcard action', () => {
    const policies = run.ofType("aws:iam/rolePolicy:RolePolicy").filter((r) => COMPONENTS.some((c) => inComponent(r, c)));
    const caches = registries(stack).pullThroughCache.length > 0 ? ["registry-pull-through"] : [];
    // The hub's push roles, one per repository (its registry's policy: components/registry/push-access.ts).
    const pushers =
      stack === "admin" ? registries(stack).repositories.map((repo: string) => `registry-push-${repo.replace("/", "-")}-push`) : [];
    expect(policies.map((p) => p.name).sort()).toEqual(
      ["backups-policy", "cert-manager-route53-policy", "cluster-autoscaler-policy", ...caches, ...pushers].sort(),
    );
    for (const policy of policies) {
      for (const statement of JSON.parse(policy.inputs.policy).Statement) {
        const actions = asList<string>(statement.Action);
        for (const action of actions) expect(action).toMatch(/^[a-z0-9]+:[A-Za-z]+$/);
        if (asList(statement.Resource).includes("*")) {
          expect({ policy: policy.name, sid: statement.Sid, actions: actions.filter((a) => !UNSCOPABLE.includes(a)) }).toEqual({
            policy: policy.name,
            sid: statement.Sid,
            actions: [],
          });
        }
      }
    }
  });

  test("each role trusts exactly its service account, for STS, through the cluster's OIDC provider", () => {
    const expected: Record<string, string> = {
      "cert-manager-route53-role": "system:serviceaccount:cert-manager:cert-manager",
      "cluster-autoscaler-role": "system:serviceaccount:cluster-autoscaler:cluster-autoscaler",
      "backups-role": "system:serviceaccount:velero:velero",
    };
    for (const [roleName, subject] of Object.entries(expected)) {
      const [statement] = JSON.parse(run.one("aws:iam/role:Role", roleName).inputs.assumeRolePolicy).Statement;
      expect(statement).toMatchObject({
        Effect: "Allow",
        Action: "sts:AssumeRoleWithWebIdentity",
        Principal: { Federated: run.outputs.oidcProviderArn },
      });
      const conditions = statement.Condition.StringEquals;
      expect(Object.entries(conditions).sort()).toEqual([
        [expect.stringMatching(/:aud$/), "sts.amazonaws.com"],
        [expect.stringMatching(/:sub$/), subject],
      ]);
    }
  });

  test("the Route53 role may change only TXT challenge records of the environment's hosted zone", () => {
    const zone = config(stack)["platform:environment"].hostedZoneId;
    const statements = rolePolicy(run, "cert-manager-route53-policy").Statement;
    const byAction = (action: string) => statements.find((s: { Action: string }) => s.Action === action);
    expect(byAction("route53:ChangeResourceRecordSets")).toEqual(
      expect.objectContaining({
        Resource: `arn:aws:route53:::hostedzone/${zone}`,
        Condition: {
          "ForAllValues:StringEquals": { "route53:ChangeResourceRecordSetsRecordTypes": ["TXT"] },
          "ForAllValues:StringLike": { "route53:ChangeResourceRecordSetsNormalizedRecordNames": ["_acme-challenge.*"] },
        },
      }),
    );
    expect(byAction("route53:ListResourceRecordSets").Resource).toBe(`arn:aws:route53:::hostedzone/${zone}`);
    expect(byAction("route53:GetChange").Resource).toBe("arn:aws:route53:::change/*");
  });

  test("the autoscaler may resize only Auto Scaling groups tagged as this cluster's", () => {
    const { region, accountId } = config(stack)["platform:aws"];
    const statements = rolePolicy(run, "cluster-autoscaler-policy").Statement;
    const resize = statements.find((s: { Sid: string }) => s.Sid === "ResizeOwnNodeGroups");
    expect(resize.Resource).toBe(`arn:aws:autoscaling:${region}:${accountId}:autoScalingGroup:*:autoScalingGroupName/*`);
    expect(resize.Condition.StringEquals).toEqual({
      "aws:ResourceTag/k8s.io/cluster-autoscaler/enabled": "true",
      [`aws:ResourceTag/k8s.io/cluster-autoscaler/${run.outputs.clusterName}`]: "owned",
    });
    const read = statements.find((s: { Sid: string }) => s.Sid === "ReadOwnNodeGroups");
    expect(read.Resource).toBe(`arn:aws:eks:${region}:${accountId}:nodegroup/${run.outputs.clusterName}/*/*`);
  });

  test("Velero may touch only its bucket, this account's volumes and the snapshots it tagged", () => {
    const statements = rolePolicy(run, "backups-policy").Statement;
    const bucket = `arn:aws:s3:::${run.outputs.backupBucket}`;
    const resources = statements.flatMap((s: { Resource: string | string[] }) => asList(s.Resource)).filter((r: string) => r !== "*");
    for (const resource of resources)
      expect(resource).toMatch(
        new RegExp(`^(${bucket}(/\\*)?|arn:aws:ec2:eu-west-1:(${config(stack)["platform:aws"].accountId})?:(volume|snapshot)/\\*)$`),
      );
    const deleteSnapshot = statements.find((s: { Action: string }) => s.Action === "ec2:DeleteSnapshot");
    expect(deleteSnapshot.Condition).toEqual({ Null: { "aws:ResourceTag/velero.io/backup": "false" } });
    const tagging = statements.find((s: { Action: string }) => s.Action === "ec2:CreateTags");
    expect(tagging.Condition).toEqual({ StringEquals: { "ec2:CreateAction": ["CreateSnapshot", "CreateVolume"] } });
  });

  test("the backup bucket is encrypted, versioned, private and garbage-collected without expiring live backups", () => {
    expect(bucketPart(run, "bucket:Bucket").inputs).toMatchObject({ bucket: run.outputs.backupBucket, forceDestroy: false });
    const [encryption] = bucketPart(run, "bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration").inputs.rules;
    expect(["AES256", "aws:kms"]).toContain(encryption.applyServerSideEncryptionByDefault.sseAlgorithm);
    expect(bucketPart(run, "bucketVersioning:BucketVersioning").inputs.versioningConfiguration.status).toBe("Enabled");
    expect(bucketPart(run, "bucketPublicAccessBlock:BucketPublicAccessBlock").inputs).toMatchObject({
      blockPublicAcls: true,
      blockPublicPolicy: true,
      ignorePublicAcls: true,
      restrictPublicBuckets: true,
    });
    const rules = bucketPart(run, "bucketLifecycleConfiguration:BucketLifecycleConfiguration").inputs.rules;
    expect(rules.every((r: { status: string }) => r.status === "Enabled")).toBe(true);
    expect(
      rules
        .map((r: { noncurrentVersionExpiration?: { noncurrentDays: number } }) => r.noncurrentVersionExpiration?.noncurrentDays)
        .filter(Boolean),
    ).toEqual([services(stack).backups.noncurrentVersionDays]);
    expect(rules.some((r: { abortIncompleteMultipartUpload?: object }) => r.abortIncompleteMultipartUpload)).toBe(true);
    for (const rule of rules) expect(rule.expiration?.days).toBeUndefined();
    const tlsOnly = JSON.parse(bucketPart(run, "bucketPolicy:BucketPolicy").inputs.policy).Statement[0];
    expect(tlsOnly).toMatchObject({ Effect: "Deny", Condition: { Bool: { "aws:SecureTransport": "false" } } });
  });

  test("Velero's schedules, retention and snapshots follow the config", () => {
    const { values } = chart(run, "backups-chart").inputs;
    const schedules = services(stack).backups.schedules as { name: string; cron: string; ttl: string; includedNamespaces?: string[] }[];
    expect(Object.keys(values.schedules).sort()).toEqual(schedules.map((s) => s.name).sort());
    for (const s of schedules) {
      expect(values.schedules[s.name]).toEqual({
        disabled: false,
        schedule: s.cron,
        useOwnerReferencesInBackup: false,
        template: {
          ttl: toGoDuration(s.ttl),
          includedNamespaces: s.includedNamespaces ?? ["*"],
          snapshotVolumes: true,
          storageLocation: "default",
          volumeSnapshotLocations: ["default"],
        },
      });
    }
    expect(values).toMatchObject({
      snapshotsEnabled: true,
      backupsEnabled: true,
      deployNodeAgent: false,
      credentials: { useSecret: false },
    });
    expect(values.configuration.backupStorageLocation).toEqual([
      {
        name: "default",
        provider: "aws",
        bucket: run.outputs.backupBucket,
        default: true,
        accessMode: "ReadWrite",
        config: { region: "eu-west-1" },
      },
    ]);
    expect(values.serviceAccount.server).toEqual({
      create: true,
      name: "velero",
      annotations: { "eks.amazonaws.com/role-arn": expect.stringContaining("backups-role") },
    });
  });

  test("the ClusterIssuers are the configured ones, solving DNS-01 in the environment's zone", () => {
    const issuers = run.ofType("kubernetes:cert-manager.io/v1:ClusterIssuer");
    const configured = services(stack).certManager.issuers as string[];
    expect(issuers.map((i) => i.inputs.metadata.name).sort()).toEqual([...configured].sort());
    expect(run.outputs.certificateIssuers).toEqual(configured);
    for (const issuer of issuers.filter((i) => i.inputs.spec.acme)) {
      const { acme } = issuer.inputs.spec;
      expect(acme.server).toBe(
        issuer.inputs.metadata.name === "letsencrypt-prod"
          ? "https://acme-v02.api.letsencrypt.org/directory"
          : "https://acme-staging-v02.api.letsencrypt.org/directory",
      );
      expect(acme.email).toBe(services(stack).certManager.acmeEmail);
      expect(acme.solvers).toEqual([
        {
          selector: { dnsZones: [`${stack}.platform.example.com`] },
          dns01: { route53: { region: "eu-west-1", hostedZoneID: config(stack)["platform:environment"].hostedZoneId } },
        },
      ]);
    }
    const release = run.one("kubernetes-cert-manager:index:CertManager", "cert-manager-release");
    // Issuers wait for the release (its CRDs and a webhook that answers); the CA issuer waits for its certificate.
    for (const issuer of issuers.filter((i) => i.inputs.metadata.name !== "selfsigned-ca"))
      expect(issuer.dependencies).toContain(release.urn);
    expect(release.inputs.serviceAccount).toEqual({
      create: true,
      name: "cert-manager",
      annotations: { "eks.amazonaws.com/role-arn": expect.stringContaining("cert-manager-route53-role") },
    });
  });

  test("cert-manager approves requests for the configured ClusterIssuers only, and the platform's namespaced Issuers", () => {
    const values = run.one("kubernetes-cert-manager:index:CertManager", "cert-manager-release").inputs.helmOptions.values;
    const configured = services(stack).certManager.issuers as string[];
    // The chart's default approves `clusterissuers.cert-manager.io/*`: any ClusterIssuer, whoever made it.
    expect(values.approveSignerNames).toEqual([
      "issuers.cert-manager.io/*",
      ...configured.map((issuer) => `clusterissuers.cert-manager.io/${issuer}`),
    ]);
    expect(values.approveSignerNames).not.toContain("clusterissuers.cert-manager.io/*");
  });

  test("the autoscaler balances spot and on-demand groups with the environment's scale-down settings", () => {
    const { values } = chart(run, "cluster-autoscaler-chart").inputs;
    const autoscaler = services(stack).clusterAutoscaler;
    expect(values.autoDiscovery).toEqual({ clusterName: run.outputs.clusterName });
    expect(values.awsRegion).toBe("eu-west-1");
    expect(values.extraArgs).toMatchObject({
      "balance-similar-node-groups": true,
      expander: autoscaler.expander,
      "scale-down-unneeded-time": toGoDuration(autoscaler.scaleDownUnneededTime),
      "scale-down-delay-after-add": toGoDuration(autoscaler.scaleDownDelayAfterAdd),
    });
    const ignored = Object.entries(values.extraArgs)
      .filter(([k]) => k.startsWith("balancing-ignore-label_"))
      .map(([, v]) => v);
    expect(ignored).toEqual(BALANCING_IGNORED_LABELS);
    expect(ignored).toContain("eks.amazonaws.com/capacityType");
    expect(values.rbac.serviceAccount).toEqual({
      create: true,
      name: "cluster-autoscaler",
      annotations: { "eks.amazonaws.com/role-arn": expect.stringContaining("cluster-autoscaler-role") },
    });
  });

  test("ECR caches the configured upstreams and garbage-collects every repository by the configured lifecycle", () => {
    const { pullThroughCache, repositories, lifecycle } = registries(stack);
    const rules = run.ofType("aws:ecr/pullThroughCacheRule:PullThroughCacheRule");
    expect(rules.map((r) => [r.inputs.ecrRepositoryPrefix, r.inputs.upstreamRegistryUrl]).sort()).toEqual(
      pullThroughCache.map((r) => [r.prefix, r.upstream]).sort(),
    );
    const secrets = run.ofType("aws:secretsmanager/secret:Secret").filter((s) => inComponent(s, "platform:registry:Registry"));
    const authenticated = pullThroughCache.filter((r) => r.username);
    expect(secrets.map((s) => s.inputs.name).sort()).toEqual(authenticated.map((r) => `ecr-pullthroughcache/${r.prefix}`).sort());
    for (const rule of authenticated) {
      const value = run.one("aws:secretsmanager/secretVersion:SecretVersion", `registry-${rule.prefix}-credential-value`);
      expect(JSON.parse(value.inputs.secretString)).toEqual({ username: rule.username, accessToken: expect.stringContaining("token") });
      expect(run.one("aws:ecr/pullThroughCacheRule:PullThroughCacheRule", `registry-${rule.prefix}-cache`).dependencies).toContain(
        run.one("aws:secretsmanager/secret:Secret", `registry-${rule.prefix}-credential`).urn,
      );
    }
    const policies = [
      ...run.ofType("aws:ecr/lifecyclePolicy:LifecyclePolicy").map((p) => p.inputs.policy),
      ...run.ofType("aws:ecr/repositoryCreationTemplate:RepositoryCreationTemplate").map((t) => t.inputs.lifecyclePolicy),
    ];
    expect(policies).toHaveLength(repositories.length + rules.length);
    for (const policy of policies) {
      const [untagged, tagged] = JSON.parse(policy).rules;
      expect(untagged.selection).toEqual({
        tagStatus: "untagged",
        countType: "sinceImagePushed",
        countUnit: "days",
        countNumber: lifecycle.untaggedExpiryDays,
      });
      expect(tagged.selection).toEqual({
        tagStatus: "tagged",
        tagPatternList: ["*"],
        countType: "imageCountMoreThan",
        countNumber: lifecycle.keepTaggedImages,
      });
    }
    const created = run.ofType("aws:ecr/repository:Repository");
    expect(created.map((r) => r.inputs.name)).toEqual(repositories);
    for (const repository of created)
      expect(repository.inputs).toMatchObject({ imageTagMutability: "IMMUTABLE", imageScanningConfiguration: { scanOnPush: true } });
  });

  test("stateful resources are protected and retained exactly where the environment says so", () => {
    const protect = config(stack)["platform:environment"].protectStatefulResources === true;
    const stateful = [
      ...run.ofType("aws:ecr/repository:Repository"),
      ...ofComponent(run, "platform:backups:Backups").filter((r) => r.type.startsWith("aws:s3/")),
    ];
    expect(stateful.length).toBeGreaterThan(0);
    for (const r of stateful) expect([r.name, r.protect, r.retainOnDelete]).toEqual([r.name, protect, protect]);
  });

  test("service objects are created through the cluster provider that waits for nodes, in restricted namespaces", () => {
    const workloads = run.one("pulumi:providers:kubernetes", "cluster-workloads-provider");
    const objects = COMPONENTS.flatMap((c) => ofComponent(run, c)).filter((r) => r.type.startsWith("kubernetes:"));
    expect(objects.length).toBeGreaterThan(5);
    for (const object of objects) expect(object.provider?.startsWith(`${workloads.urn}::`)).toBe(true);
    const enforced = (ns: string) =>
      run.one("kubernetes:core/v1:Namespace", `${ns}-namespace`).inputs.metadata.labels["pod-security.kubernetes.io/enforce"];
    expect([enforced("cluster-autoscaler"), enforced("velero")]).toEqual(["restricted", "restricted"]);
    // With Calico as the CNI the control plane cannot reach pod addresses: the webhook listens on the node.
    const { webhook } = run.one("kubernetes-cert-manager:index:CertManager", "cert-manager-release").inputs;
    if (calicoIsTheCni(stack)) {
      expect(webhook).toEqual({ hostNetwork: true, securePort: 10260 });
      expect(enforced("cert-manager")).toBe("privileged");
    } else {
      expect(webhook).toEqual({});
      expect(enforced("cert-manager")).toBe("restricted");
    }
  });
});

test("e2e trusts a self-signed CA chain; prod gets the staging and production Let's Encrypt issuers", () => {
  const certificate = runs.e2e.one("kubernetes:cert-manager.io/v1:Certificate", "cert-manager-selfsigned-ca-certificate");
  expect(certificate.inputs.metadata).toMatchObject({ name: "selfsigned-ca", namespace: "cert-manager" });
  expect(certificate.inputs.spec).toMatchObject({
    isCA: true,
    secretName: "selfsigned-ca",
    issuerRef: { name: "selfsigned-bootstrap", kind: "Issuer" },
  });
  // The self-signed issuer signs anything, CA certificates included: an Issuer in cert-manager's namespace, which
  // no other namespace's Certificate can name (a ClusterIssuer any could).
  const bootstrap = runs.e2e.one("kubernetes:cert-manager.io/v1:Issuer", "cert-manager-selfsigned-bootstrap");
  expect(bootstrap.inputs).toMatchObject({
    metadata: { name: "selfsigned-bootstrap", namespace: "cert-manager" },
    spec: { selfSigned: {} },
  });
  expect(certificate.dependencies).toContain(bootstrap.urn);
  expect(runs.e2e.ofType("kubernetes:cert-manager.io/v1:ClusterIssuer").map((i) => i.inputs.metadata.name)).not.toContain(
    "selfsigned-bootstrap",
  );
  const ca = runs.e2e.one("kubernetes:cert-manager.io/v1:ClusterIssuer", "cert-manager-selfsigned-ca");
  expect(ca.inputs.spec).toEqual({ ca: { secretName: "selfsigned-ca" } });
  expect(ca.dependencies).toContain(certificate.urn);
  const prodIssuers = runs.prod.ofType("kubernetes:cert-manager.io/v1:ClusterIssuer").map((i) => i.inputs.metadata.name);
  expect(prodIssuers.sort()).toEqual(["letsencrypt-prod", "letsencrypt-staging"]);
});

test("prod keeps hourly backups for 48 hours and daily ones for 30 days", () => {
  const { schedules } = chart(runs.prod, "backups-chart").inputs.values;
  expect(schedules.hourly).toMatchObject({ schedule: "0 * * * *", template: { ttl: "48h0m0s" } });
  expect(schedules.daily).toMatchObject({ schedule: "30 2 * * *", template: { ttl: "720h0m0s" } });
});

test("local runs none of the AWS cluster services", async () => {
  const local = await runStack("local");
  expect(COMPONENTS.flatMap((c) => ofComponent(local, c))).toEqual([]);
  expect(local.ofType("kubernetes:cert-manager.io/v1:ClusterIssuer")).toEqual([]);
});

describe("config errors name the key and what it needs", () => {
  const rejection = (stack: string, configure: (c: StackConfig) => void) => runStack(stack, { configure });
  const servicesOf = (c: StackConfig) => c["platform:services"];

  test("Let's Encrypt issuers need the hosted zone and an ACME e-mail", async () => {
    await expect(rejection("prod", (c) => delete c["platform:environment"].hostedZoneId)).rejects.toThrow(
      /platform:environment\.hostedZoneId = \(not set\): expected the Route53 zone of <env>\.<domain>: the letsencrypt issuers solve DNS-01 challenges in it/,
    );
    await expect(rejection("prod", (c) => delete servicesOf(c).certManager.acmeEmail)).rejects.toThrow(
      /platform:services\.certManager\.acmeEmail = \(not set\): expected an e-mail address for the ACME account/,
    );
  });

  test("an issuer listed twice, an unknown issuer and the AWS-less price expander are rejected", async () => {
    await expect(rejection("e2e", (c) => (servicesOf(c).certManager.issuers = ["selfsigned-ca", "selfsigned-ca"]))).rejects.toThrow(
      /platform:services\.certManager\.issuers = \["selfsigned-ca","selfsigned-ca"\]: expected each issuer at most once/,
    );
    await expect(rejection("e2e", (c) => (servicesOf(c).certManager.issuers = ["vault"]))).rejects.toThrow(
      /platform:services\.certManager\.issuers\[0\] = "vault": expected one of/,
    );
    await expect(rejection("e2e", (c) => (servicesOf(c).clusterAutoscaler.expander = "price"))).rejects.toThrow(
      /platform:services\.clusterAutoscaler\.expander = "price": expected one of "least-waste", "priority", "random", "most-pods"/,
    );
  });

  test("the autoscaler needs an image for the cluster's Kubernetes minor", async () => {
    await expect(rejection("stage", (c) => (c["platform:cluster"].kubernetesVersion = "1.29"))).rejects.toThrow(
      /platform:cluster\.kubernetesVersion = "1\.29": expected one of 1\.33, 1\.34, 1\.35 while services\.clusterAutoscaler is enabled/,
    );
  });

  test("Docker Hub needs credentials, prefixes are unique and own repositories stay outside cache prefixes", async () => {
    await expect(rejection("prod", (c) => delete c["platform:registries"].pullThroughCache[1].username)).rejects.toThrow(
      /platform:registries\.pullThroughCache\[1\]\.username = \(not set\): expected a username: ECR caches registry-1\.docker\.io only with credentials/,
    );
    await expect(rejection("prod", (c) => (c["platform:registries"].pullThroughCache[2].prefix = "quay"))).rejects.toThrow(
      /platform:registries\.pullThroughCache\[2\]\.prefix = "quay": expected a prefix not used by another rule/,
    );
    await expect(rejection("prod", (c) => c["platform:registries"].repositories.push("quay/payments"))).rejects.toThrow(
      /platform:registries\.repositories\[4\] = "quay\/payments": expected a name outside the pull-through cache prefix "quay\/"/,
    );
  });

  test("cert-manager stays off an existing cluster", async () => {
    await expect(rejection("local", (c) => (servicesOf(c).certManager = { enabled: true, issuers: ["selfsigned-ca"] }))).rejects.toThrow(
      /platform:services\.certManager\.enabled = true: expected false on an existing cluster/,
    );
  });

  test("a backup schedule name may appear once", async () => {
    await expect(rejection("prod", (c) => (servicesOf(c).backups.schedules[1].name = "hourly"))).rejects.toThrow(
      /platform:services\.backups\.schedules = .*: expected unique schedule names/,
    );
  });
});

describe("Velero durations and pre-change backups", () => {
  test.each([
    ["30d", "720h0m0s"],
    ["48h", "48h0m0s"],
    ["90m", "1h30m0s"],
    ["2w", "336h0m0s"],
    ["45m", "45m0s"],
    ["30s", "30s"],
  ])("%s is %s in Go's notation", (duration, go) => {
    expect(toGoDuration(duration)).toBe(go);
  });

  test("a pre-change backup snapshots every volume of the chosen namespaces and is named by its time", () => {
    const name = preChangeBackupName(new Date("2026-03-14T09:15:07.123Z"));
    expect(name).toBe("pre-change-20260314-091507");
    expect(preChangeBackup({ name, ttl: "7d", includedNamespaces: ["payments"] })).toEqual({
      apiVersion: "velero.io/v1",
      kind: "Backup",
      metadata: { name, namespace: "velero", labels: { "platform.example.io/backup-trigger": "pre-change" } },
      spec: {
        ttl: "168h0m0s",
        includedNamespaces: ["payments"],
        snapshotVolumes: true,
        storageLocation: "default",
        volumeSnapshotLocations: ["default"],
      },
    });
  });

  test("npm run backup -- <stack> takes its stack, --wait, --ttl and --namespaces, and refuses anything else", () => {
    expect(parseBackupArgs(["prod"])).toEqual({ stack: "prod", wait: false, ttl: "7d", includedNamespaces: ["*"], timeoutMinutes: 60 });
    expect(
      parseBackupArgs(["prod", "--wait", "--ttl", "30d", "--namespaces", "payments,data-warehouse", "--timeout-minutes", "90"]),
    ).toEqual({
      stack: "prod",
      wait: true,
      ttl: "30d",
      includedNamespaces: ["payments", "data-warehouse"],
      timeoutMinutes: 90,
    });
    expect(() => parseBackupArgs([])).toThrow(UsageError);
    expect(() => parseBackupArgs(["--wait"])).toThrow(/missing <stack>/);
    expect(() => parseBackupArgs(["prod", "--ttl"])).toThrow(/--ttl needs a value/);
    expect(() => parseBackupArgs(["prod", "--ttl", "a week"])).toThrow(/--ttl = "a week": expected a duration/);
    expect(() => parseBackupArgs(["prod", "--namespaces", "Payments"])).toThrow(/--namespaces = "Payments": expected namespace names/);
    expect(() => parseBackupArgs(["prod", "--timeout-minutes", "0"])).toThrow(
      /--timeout-minutes = "0": expected a whole number of at least 1/,
    );
    expect(() => parseBackupArgs(["prod", "--force"])).toThrow(/unknown option --force/);
  });

  test("only Completed counts as a usable backup", () => {
    expect(backupOutcome("Completed")).toBe("succeeded");
    for (const phase of ["PartiallyFailed", "Failed", "FailedValidation"]) expect(backupOutcome(phase)).toBe("failed");
    for (const phase of ["", "New", "InProgress", "WaitingForPluginOperations", "Finalizing"]) expect(backupOutcome(phase)).toBe("running");
  });
});

test("the priority expander tries spot pools before any other group", () => {
  const pools = readStackConfig("prod")["platform:cluster"].nodePools;
  const prod = services("prod").clusterAutoscaler;
  expect(expanderPriorities(prod, pools)).toEqual({});
  expect(expanderPriorities({ ...prod, expander: "priority" }, pools)).toEqual({ 50: ["^eks-spot-[0-9]+-"], 10: [".*"] });
  expect(new RegExp("^eks-spot-[0-9]+-").test("eks-spot-20260314091507123400000001-4ec6b1c2-1111-2222-3333-444455556666")).toBe(true);
  expect(new RegExp("^eks-spot-[0-9]+-").test("eks-spot-large-20260314091507123400000001-4ec6b1c2-1111-2222-3333-444455556666")).toBe(
    false,
  );
});

test("scale-down times in days reach the autoscaler as Go durations, which have no day unit", async () => {
  const run = await runStack("e2e", {
    configure: (c) =>
      Object.assign(c["platform:services"].clusterAutoscaler, { scaleDownUnneededTime: "1d", scaleDownDelayAfterAdd: "90m" }),
  });
  expect(chart(run, "cluster-autoscaler-chart").inputs.values.extraArgs).toMatchObject({
    "scale-down-unneeded-time": "24h0m0s",
    "scale-down-delay-after-add": "1h30m0s",
  });
});
