/**
 * The image path: CI's build runners push to the hub's registry, every environment's nodes pull from it across
 * accounts, and the platform's own charts pull through the environment's pull-through caches. The unit suite
 * cannot render charts (`npm run verify` does): these tests check the values the program passes.
 */
import { UNSCOPABLE_LOGIN } from "../../components/registry";
import { podTemplateThroughMirror, registryThroughMirror } from "../../lib/images";
import { IMAGES } from "../../lib/versions";
import { RegistriesConfig, registriesSection } from "../../config/sections/registries";
import { EKS_STACKS, readStackConfig, RecordedResource, StackRun } from "../../mock-engine";
import { runsBeforeAll } from "../stack-runs";

const SPOKES = ["e2e", "stage", "prod"] as const;
/** What pushing takes (Amazon ECR User Guide, "IAM permissions for pushing an image"); pulling back is allowed too. */
const PUSH = [
  "ecr:BatchCheckLayerAvailability",
  "ecr:InitiateLayerUpload",
  "ecr:UploadLayerPart",
  "ecr:CompleteLayerUpload",
  "ecr:PutImage",
];
const MIRRORS = {
  "quay.io": "1.dkr.ecr.eu-west-1.amazonaws.com/quay",
  "registry-1.docker.io": "1.dkr.ecr.eu-west-1.amazonaws.com/docker-hub",
};

const runs = runsBeforeAll(EKS_STACKS, 180_000);

const config = (stack: string) => readStackConfig(stack);
const registries = (stack: string): RegistriesConfig => registriesSection.parse(config(stack)["platform:registries"] ?? {});
const admin = config("admin")["platform:admin"];

/** Where `upstream` is pulled from in `stack`: its cache path where the stack has a rule for it, else itself. */
function expectedRegistry(stack: string, upstream: string): string {
  const { accountId, region } = config(stack)["platform:aws"];
  const rule = registries(stack).pullThroughCache.find(
    (r) => r.upstream === (upstream === "docker.io" ? "registry-1.docker.io" : upstream),
  );
  return rule ? `${accountId}.dkr.ecr.${region}.amazonaws.com/${rule.prefix}` : upstream;
}
const expectedImage = (stack: string, image: string) => {
  const slash = image.indexOf("/");
  return `${expectedRegistry(stack, image.slice(0, slash))}${image.slice(slash)}`;
};

const at = (object: any, path: string[]): unknown => path.reduce((value, key) => value?.[key], object);
const values = (run: StackRun, type: string, name: string) => run.one(type, name).inputs.values;
const CHART = "kubernetes:helm.sh/v4:Chart";
const RELEASE = "kubernetes:helm.sh/v3:Release";

describe("lib/images", () => {
  test("a chart's registry value becomes the cache path of that registry, and stays as it is without one", () => {
    expect(registryThroughMirror("quay.io", MIRRORS)).toBe("1.dkr.ecr.eu-west-1.amazonaws.com/quay");
    expect(registryThroughMirror("docker.io", MIRRORS)).toBe("1.dkr.ecr.eu-west-1.amazonaws.com/docker-hub");
    expect(registryThroughMirror("ghcr.io", MIRRORS)).toBe("ghcr.io");
  });

  test("every container of a pod template, init and sidecar containers included, pulls through the caches", () => {
    const template = {
      spec: {
        nodeSelector: { a: "b" },
        initContainers: [{ name: "dind", image: "docker:29.7.2-dind" }],
        containers: [{ name: "r", image: "ghcr.io/x/y:1" }],
      },
    };
    expect(podTemplateThroughMirror(template, MIRRORS)).toEqual({
      spec: {
        nodeSelector: { a: "b" },
        initContainers: [{ name: "dind", image: "1.dkr.ecr.eu-west-1.amazonaws.com/docker-hub/library/docker:29.7.2-dind" }],
        containers: [{ name: "r", image: "ghcr.io/x/y:1" }],
      },
    });
  });
});

/** [resource type, resource name, path of the value, the upstream registry the chart defaults to]. */
const REGISTRY_VALUES: [string, string, string[], string][] = [
  [CHART, "calico-operator", ["values", "tigeraOperator", "registry"], "quay.io"],
  ["kubernetes-cert-manager:index:CertManager", "cert-manager-release", ["helmOptions", "values", "imageRegistry"], "quay.io"],
  [CHART, "monitoring-stack", ["values", "prometheus", "prometheusSpec", "image", "registry"], "quay.io"],
  [CHART, "monitoring-stack", ["values", "alertmanager", "alertmanagerSpec", "image", "registry"], "quay.io"],
  [CHART, "monitoring-stack", ["values", "prometheusOperator", "image", "registry"], "quay.io"],
  [CHART, "monitoring-stack", ["values", "prometheusOperator", "prometheusConfigReloader", "image", "registry"], "quay.io"],
  [CHART, "monitoring-stack", ["values", "kube-state-metrics", "image", "registry"], "registry.k8s.io"],
  [CHART, "monitoring-stack", ["values", "prometheus-node-exporter", "image", "registry"], "quay.io"],
  [CHART, "monitoring-stack", ["values", "grafana", "sidecar", "image", "registry"], "quay.io"],
  [CHART, "logging-oauth2-proxy", ["values", "global", "imageRegistry"], "quay.io"],
];
/** [resource type, resource name, path of the value, the chart's image]. */
const IMAGE_VALUES: [string, string, string[], string][] = [
  [CHART, "cluster-autoscaler-chart", ["values", "image", "repository"], IMAGES.clusterAutoscaler.repository],
  [CHART, "dns-external-dns", ["values", "image", "repository"], "registry.k8s.io/external-dns/external-dns"],
  [CHART, "load-balancer-controller-chart", ["values", "image", "repository"], "public.ecr.aws/eks/aws-load-balancer-controller"],
];
const HUB_IMAGE_VALUES: [string, string, string[], string][] = [
  [CHART, "dex-chart", ["values", "image", "repository"], "ghcr.io/dexidp/dex"],
  [CHART, "ci-runners-controller", ["values", "image", "repository"], "ghcr.io/actions/gha-runner-scale-set-controller"],
];

/**
 * Every image reference or registry in a value tree: strings under `image`, and registry hosts under `registry`,
 * `imageRegistry` or at the start of a `repository` (external-dns's `registry: txt` is no host).
 */
function references(value: unknown, key = ""): string[] {
  if (Array.isArray(value)) return value.flatMap((item) => references(item, key));
  if (value && typeof value === "object") return Object.entries(value).flatMap(([k, v]) => references(v, k));
  if (typeof value !== "string") return [];
  const startsWithHost = value.split("/")[0].includes(".");
  return key === "image" || (["registry", "imageRegistry", "repository"].includes(key) && startsWithHost) ? [value] : [];
}
/** The registry of a reference or registry value; an image without a host (`docker:29-dind`) is Docker Hub's. */
const hostOf = (reference: string) => {
  const first = reference.split("/")[0];
  return first.includes(".") ? first : "docker.io";
};

describe.each(EKS_STACKS)("%s: the platform's charts pull through the environment's caches", (stack) => {
  const cases = (table: [string, string, string[], string][]) =>
    table.map(([type, name, path, source]) => ({ type, name, path, value: path.join("."), source }));

  test.each(cases(REGISTRY_VALUES))("$name $value: the cache of $source", ({ type, name, path, source }) => {
    expect(at(runs[stack].one(type, name).inputs, path)).toBe(expectedRegistry(stack, source));
  });

  test.each(cases(stack === "admin" ? [...IMAGE_VALUES, ...HUB_IMAGE_VALUES] : IMAGE_VALUES))(
    "$name $value: $source through its cache",
    ({ type, name, path, source }) => {
      expect(at(runs[stack].one(type, name).inputs, path)).toBe(expectedImage(stack, source));
    },
  );

  test("the Calico operator deploys Calico from the Quay cache", () => {
    const spec = runs[stack].one("kubernetes:operator.tigera.io/v1:Installation", "calico-installation").inputs.spec;
    const registry = expectedRegistry(stack, "quay.io");
    expect(spec.registry).toBe(registry === "quay.io" ? undefined : `${registry}/`);
  });

  test("no chart value, pod template or custom resource names a registry the environment caches", () => {
    const cached = new Set<string>(
      registries(stack).pullThroughCache.map((r) => (r.upstream === "registry-1.docker.io" ? "docker.io" : r.upstream)),
    );
    const run = runs[stack];
    const sources = run.resources.filter(
      (r) =>
        [CHART, RELEASE, "kubernetes-cert-manager:index:CertManager"].includes(r.type) ||
        r.type.startsWith("kubernetes:operator.tigera.io/"),
    );
    const direct = sources.flatMap((r) =>
      references(r.inputs)
        .filter((ref) => cached.has(hostOf(ref)))
        .map((ref) => `${r.name}: ${ref}`),
    );
    expect(direct).toEqual([]);
  });
});

describe("the hub registry", () => {
  const hubRepositories = () => runs.admin.ofType("aws:ecr/repository:Repository");
  const { accountId, region } = config("admin")["platform:aws"];
  const hubArns = () => registries("admin").repositories.map((name) => `arn:aws:ecr:${region}:${accountId}:repository/${name}`);

  test("holds the configured repositories, each with the lifecycle policy and a pull policy for every spoke account", () => {
    expect(hubRepositories().map((r) => r.inputs.name)).toEqual(registries("admin").repositories);
    expect(hubRepositories().length).toBeGreaterThan(0);
    for (const repository of hubRepositories()) {
      const dependsOnIt = (r: RecordedResource) => r.dependencies.includes(repository.urn);
      expect(runs.admin.ofType("aws:ecr/lifecyclePolicy:LifecyclePolicy").filter(dependsOnIt)).toHaveLength(1);
      const [policy] = runs.admin.ofType("aws:ecr/repositoryPolicy:RepositoryPolicy").filter(dependsOnIt);
      expect(JSON.parse(policy.inputs.policy).Statement).toEqual([
        {
          Sid: "SpokeAccountsPull",
          Effect: "Allow",
          Principal: { AWS: admin.spokes.map((s: { accountId: string }) => `arn:aws:iam::${s.accountId}:root`) },
          Action: ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer", "ecr:BatchCheckLayerAvailability"],
        },
      ]);
    }
  });

  test("the spokes named in the policy are the environments' own accounts", () => {
    expect(admin.spokes.map((s: { accountId: string }) => s.accountId).sort()).toEqual(
      SPOKES.map((env) => config(env)["platform:aws"].accountId).sort(),
    );
  });

  test.each(SPOKES)("%s's nodes may pull from another account's repository, and its own repositories are not shared", (env) => {
    const attachments = runs[env]
      .ofType("aws:iam/rolePolicyAttachment:RolePolicyAttachment")
      .filter((a) => a.name.startsWith("node-pools-"));
    // The identity half of a cross-account pull: the managed policy's pull actions are on "*".
    expect(attachments.map((a) => a.inputs.policyArn)).toContain("arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryPullOnly");
    expect(runs[env].ofType("aws:ecr/repositoryPolicy:RepositoryPolicy")).toEqual([]);
  });

  test("each hub repository has a push role that only its configured repositories' build jobs assume, and that pushes there only", () => {
    const { pushFrom, pushEnvironment } = admin.ciRunners.build;
    for (const [i, name] of registries("admin").repositories.entries()) {
      const role = runs.admin.one("aws:iam/role:Role", `registry-push-${name.replaceAll("/", "-")}`);
      expect(role.inputs.name).toBe(`admin-push-${name.replaceAll("/", "-")}`);
      expect(role.inputs.permissionsBoundary).toMatch(/^arn:aws:iam::444444444444:policy\//);
      const [trust] = JSON.parse(role.inputs.assumeRolePolicy).Statement;
      expect(trust.Principal).toEqual({ Federated: "arn:aws:iam::444444444444:oidc-provider/token.actions.githubusercontent.com" });
      expect(trust.Condition).toEqual({
        StringEquals: {
          "token.actions.githubusercontent.com:aud": "sts.amazonaws.com",
          "token.actions.githubusercontent.com:sub": pushFrom[name].map(
            (source: string) => `repo:${source}:environment:${pushEnvironment ?? "publish"}`,
          ),
        },
      });
      const statements = JSON.parse(
        runs.admin.one("aws:iam/rolePolicy:RolePolicy", `registry-push-${name.replaceAll("/", "-")}-push`).inputs.policy,
      ).Statement;
      expect(statements).toEqual([
        { Sid: "PushToItsRepository", Effect: "Allow", Action: expect.arrayContaining(PUSH), Resource: hubArns()[i] },
        { Sid: "RegistryLogin", Effect: "Allow", Action: UNSCOPABLE_LOGIN, Resource: "*" },
      ]);
      const actions = statements.flatMap((s: { Action: string | string[] }) => [s.Action].flat());
      expect(
        actions.filter((a: string) => ![...PUSH, "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer", UNSCOPABLE_LOGIN].includes(a)),
      ).toEqual([]);
    }
    // Tags are immutable where prod pulls: a tag once pushed always names the same image.
    for (const repository of hubRepositories()) expect(repository.inputs.imageTagMutability).toBe("IMMUTABLE");
  });

  test("no runner pod carries a push role: the build runners' service account has none", () => {
    const account = runs.admin.one("kubernetes:core/v1:ServiceAccount", "ci-runners-builder").inputs;
    expect(account.metadata).toMatchObject({ name: "ci-builder", namespace: "ci-runners" });
    expect(account.metadata.annotations?.["eks.amazonaws.com/role-arn"]).toBeUndefined();
    expect(values(runs.admin, CHART, "ci-runners-admin-ci").template.spec.serviceAccountName).toBe("ci-builder");
  });

  test("the runners' images come from the hub's cache of their registry where it has one", () => {
    const images = (scaleSet: string) => {
      const { containers = [], initContainers = [] } = values(runs.admin, CHART, scaleSet).template.spec;
      return [...initContainers, ...containers].map((c: { image: string }) => c.image);
    };
    const runner = expectedImage("admin", IMAGES.actionsRunner);
    expect(images("ci-runners-admin-ci")).toEqual([`${expectedRegistry("admin", "docker.io")}/${IMAGES.buildkitRootless}`, runner]);
    expect(images("ci-runners-admin-deploy")).toEqual([runner]);
  });

  test("every runner pulls the newest runner release at its start: GitHub refuses jobs to a runner a release behind for 30 days", () => {
    for (const scaleSet of ["ci-runners-admin-ci", "ci-runners-admin-deploy", "ci-runners-admin-platform"]) {
      const runner = values(runs.admin, CHART, scaleSet).template.spec.containers.find((c: { name: string }) => c.name === "runner");
      expect(runner).toMatchObject({ image: expectedImage("admin", "ghcr.io/actions/actions-runner:latest"), imagePullPolicy: "Always" });
    }
  });
});
