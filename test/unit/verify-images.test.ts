/**
 * The image list verify --images builds: for each AWS stack under the mock engine, its own objects plus charts
 * rendered with the toolchain's helm from the chart mirror, every pod spec's images (init containers and ARC's
 * runner templates included), the images operators derive (ECK from spec.version, the tigera-operator from the
 * Installation) or are told to run by a flag, each cached image traced back to its upstream, and the EKS add-on
 * builds the program installs.
 */
import { archivePath } from "../../lib/chart-mirror";
import { throughMirror } from "../../lib/images";
import { CHARTS, EKS_ADDONS, IMAGES } from "../../lib/versions";
import { EKS_STACKS, readStackConfig, runStacks, StackRun } from "../../mock-engine";
import { ChartSpec, collect, KubeObject } from "../../scripts/verify/collect";
import { renderChart } from "../../scripts/verify/helm";
import { cacheRulesOf, SourcedObject, StackImage, stackImages, upstreamOf } from "../../scripts/verify/images";
import { stackAddons } from "../../scripts/verify/images-addons";
import { DEFAULT_MIRROR_DIR } from "../../scripts/verify/mirror";
import { missingTools, withTools } from "../../scripts/verify/tools";
import { inCi } from "../e2e/support/toolchain";

const CACHES = [
  { prefix: "quay", upstream: "quay.io" },
  { prefix: "docker-hub", upstream: "registry-1.docker.io" },
];
const ECR = "123456789012.dkr.ecr.eu-west-1.amazonaws.com";

const object = (
  kind: string,
  name: string,
  spec: Record<string, unknown>,
  apiVersion = "v1",
  extra: Partial<KubeObject> = {},
): SourcedObject => ({
  component: "example",
  object: { apiVersion, kind, metadata: { name, namespace: "example" }, spec, ...extra },
});
const references = (images: readonly StackImage[]) => images.map((i) => i.reference);
const image = (images: readonly StackImage[], reference: string) => images.find((i) => i.reference === reference);

describe("pod specs and pod templates anywhere in an object", () => {
  const images = stackImages(
    [
      object(
        "CronJob",
        "nightly",
        {
          jobTemplate: {
            spec: {
              template: {
                spec: {
                  initContainers: [{ name: "prepare", image: "busybox:1.37" }],
                  containers: [{ name: "run", image: "ghcr.io/a/job:1" }],
                },
              },
            },
          },
        },
        "batch/v1",
      ),
      object("Pod", "debugged", {
        containers: [{ name: "app", image: "ghcr.io/a/app:2" }],
        ephemeralContainers: [{ name: "debug", image: "ghcr.io/a/debug:3" }],
      }),
      object(
        "Deployment",
        "cached",
        { template: { spec: { containers: [{ name: "c", image: `${ECR}/docker-hub/library/nginx:1.29` }] } } },
        "apps/v1",
      ),
    ],
    CACHES,
  );

  test("containers, init containers and ephemeral containers, one entry per reference, in order of upstream", () => {
    expect(references(images)).toEqual([
      "busybox:1.37",
      `${ECR}/docker-hub/library/nginx:1.29`,
      "ghcr.io/a/app:2",
      "ghcr.io/a/debug:3",
      "ghcr.io/a/job:1",
    ]);
    expect(image(images, "busybox:1.37")?.users).toEqual([{ component: "example", where: "CronJob example/nightly, container prepare" }]);
  });

  test("an image through a pull-through cache is resolved at its upstream (Docker Hub as docker.io)", () => {
    expect(image(images, `${ECR}/docker-hub/library/nginx:1.29`)).toMatchObject({
      upstream: "docker.io/library/nginx:1.29",
      cache: `${ECR}/docker-hub`,
    });
    expect(image(images, "ghcr.io/a/app:2")).toEqual({
      reference: "ghcr.io/a/app:2",
      upstream: "ghcr.io/a/app:2",
      users: expect.any(Array),
    });
  });

  test("an ECR path under no cache prefix, or another registry's path that looks like one, is its own upstream", () => {
    expect(upstreamOf(`${ECR}/payments/api:1`, CACHES)).toEqual({ upstream: `${ECR}/payments/api:1` });
    expect(upstreamOf("example.org/quay/a:1", CACHES)).toEqual({ upstream: "example.org/quay/a:1" });
  });
});

describe("images an operator runs that no container names", () => {
  const operatorWith = (arg: string) =>
    object(
      "Deployment",
      "operator",
      { template: { spec: { containers: [{ name: "operator", image: "quay.io/op:1", args: [arg] }] } } },
      "apps/v1",
    );
  const issuer = (solver: Record<string, unknown>) =>
    object("ClusterIssuer", "acme", { acme: { solvers: [solver] } }, "cert-manager.io/v1");

  test("cert-manager's ACME solver only when an issuer solves HTTP-01", () => {
    const flag = "--acme-http01-solver-image=quay.io/jetstack/cert-manager-acmesolver:v1";
    expect(references(stackImages([operatorWith(flag), issuer({ dns01: {} })], []))).not.toContain(
      "quay.io/jetstack/cert-manager-acmesolver:v1",
    );
    expect(references(stackImages([operatorWith(flag), issuer({ http01: {} })], []))).toContain(
      "quay.io/jetstack/cert-manager-acmesolver:v1",
    );
  });

  test("ECK: the operator's configured registry, repository and suffix, and spec.image over all of them", () => {
    const config = object("ConfigMap", "elastic-operator", {}, "v1", {
      data: { "eck.yaml": "container-registry: registry.example.com\ncontainer-suffix: -custom\n" },
    });
    const es = object("Elasticsearch", "logs", { version: "9.4.3" }, "elasticsearch.k8s.elastic.co/v1");
    const kibana = object("Kibana", "logs", { version: "9.4.3", image: "example.org/kibana:own" }, "kibana.k8s.elastic.co/v1");
    expect(references(stackImages([config, es, kibana], []))).toEqual([
      "example.org/kibana:own",
      "registry.example.com/elasticsearch/elasticsearch-custom:9.4.3",
    ]);
  });

  test("Calico: the Installation's registry, image path and prefix; flexvolume and CSI unless turned off; the CNI installer only as the CNI", () => {
    const installation = object(
      "Installation",
      "default",
      {
        registry: "registry.example.com/",
        imagePath: "mirror",
        imagePrefix: "c-",
        flexVolumePath: "None",
        kubeletVolumePluginPath: "None",
        cni: { type: "AmazonVPC" },
      },
      "operator.tigera.io/v1",
    );
    const version = CHARTS.tigeraOperator.version;
    expect(references(stackImages([installation], []))).toEqual(
      ["kube-controllers", "node", "typha"].map((name) => `registry.example.com/mirror/c-${name}:${version}`),
    );
  });
});

// Rendering needs helm (the toolchain's, else PATH's) and the chart mirror.
const env = withTools(process.env);
const helmMissing = missingTools(["helm"], env).length > 0;
if (helmMissing && !inCi())
  console.warn("VERIFY IMAGE LIST SKIPPED: no helm in .toolchain/bin or on PATH (scripts/toolchain.sh builds it)");

/** The charts each stack's test renders: Velero everywhere (an init container through the Docker Hub cache), the autoscaler (its tag follows the minor), the Calico operator. */
const RENDERED = ["backups-chart", "cluster-autoscaler-chart", "calico-operator", "logging-eck-operator"];
const RENDERED_BY_STACK: Partial<Record<(typeof EKS_STACKS)[number], string[]>> = {
  e2e: ["monitoring-stack", "cert-manager-release"],
  admin: ["ci-runners-admin-ci", "ci-runners-admin-deploy"],
};

(helmMissing && !inCi() ? describe.skip : describe).each(EKS_STACKS)("%s", (stack) => {
  let run: StackRun;
  let images: StackImage[];
  const config = readStackConfig(stack);
  const minor: string = config["platform:cluster"].kubernetesVersion;
  const upstream = (reference: string) => image(images, reference)?.upstream;

  beforeAll(async () => {
    run = (await runStacks([stack]))[stack];
    const declared = collect(run);
    const rendered: SourcedObject[] = [];
    for (const spec of declared.charts.filter((c) => [...RENDERED, ...(RENDERED_BY_STACK[stack] ?? [])].includes(c.resource))) {
      const fromMirror: ChartSpec = { ...spec, chart: archivePath(DEFAULT_MIRROR_DIR, spec.chart, spec.version), repo: undefined };
      const objects = await renderChart(fromMirror, { kubeVersion: `v${minor}.0`, apiVersions: [] }, env);
      rendered.push(...objects.map((o) => ({ component: spec.component, object: o })));
    }
    images = stackImages([...declared.objects, ...rendered], cacheRulesOf(run));
  }, 120_000);

  test("the cache rules are the program's, and every ECR reference of the list is traced back through one", () => {
    expect(
      cacheRulesOf(run)
        .map((r) => r.prefix)
        .sort(),
    ).toEqual(config["platform:registries"].pullThroughCache.map((r: { prefix: string }) => r.prefix).sort());
    for (const i of images.filter((i) => i.reference.startsWith(run.outputs.registryHost))) expect(i.cache).toBeDefined();
  });

  test("Velero and its AWS plugin (an init container) through the Docker Hub cache, resolved at Docker Hub", () => {
    for (const pinned of [IMAGES.velero, IMAGES.veleroPluginForAws]) {
      const reference = throughMirror(pinned, { "registry-1.docker.io": `${run.outputs.registryHost}/docker-hub` });
      expect(upstream(reference)).toBe(`docker.io/${pinned}`);
    }
  });

  test("the autoscaler at the tag of the stack's Kubernetes minor", () => {
    const tag = (IMAGES.clusterAutoscaler.tagByKubernetesMinor as Record<string, string>)[minor];
    expect(images.map((i) => i.upstream)).toContain(`${IMAGES.clusterAutoscaler.repository}:${tag}`);
  });

  test("Elasticsearch and Kibana as the ECK operator derives them from the pinned stack version", () => {
    for (const name of ["elasticsearch/elasticsearch", "kibana/kibana"])
      expect(image(images, `docker.elastic.co/${name}:${IMAGES.elasticStack}`)?.users.map((u) => u.where)).toContainEqual(
        expect.stringMatching(/derived by the ECK operator from spec.version$/),
      );
  });

  test("Calico's images as the tigera-operator derives them, through the Quay cache; the CNI installer only where Calico is the CNI", () => {
    const calico = images.filter((i) => i.upstream.startsWith("quay.io/calico/"));
    const names = ["csi", "kube-controllers", "node", "node-driver-registrar", "pod2daemon-flexvol", "typha"];
    if (config["platform:calico"].mode === "cni") names.unshift("cni");
    expect(calico.map((i) => i.upstream).sort()).toEqual(
      names.map((name) => `quay.io/calico/${name}:${CHARTS.tigeraOperator.version}`).sort(),
    );
    for (const i of calico) expect(i.cache).toBe(`${run.outputs.registryHost}/quay`);
  });

  test("the EKS add-ons the program installs, at the builds pinned for the minor; the VPC CNI only beside policy-only Calico", () => {
    const pinned = EKS_ADDONS[minor];
    const expected = ["kube-proxy", "coredns", "aws-ebs-csi-driver", ...(config["platform:calico"].mode === "cni" ? [] : ["vpc-cni"])];
    expect(stackAddons(run).sort((a, b) => a.name.localeCompare(b.name))).toEqual(
      expected.sort().map((name) => ({
        name,
        version: pinned[name as keyof typeof pinned],
        kubernetesVersion: minor,
        region: config["platform:aws"].region,
      })),
    );
  });

  if (stack === "e2e")
    test("kube-prometheus-stack: Prometheus's and Alertmanager's spec.image and the config reloader the operator injects; no ACME solver (DNS-01 only)", () => {
      const users = images.flatMap((i) => i.users.map((u) => `${i.upstream.replace(/:.*/, "")} <- ${u.where.replace(/^.*, /, "")}`));
      expect(users).toEqual(
        expect.arrayContaining([
          "quay.io/prometheus/prometheus <- spec.image",
          "quay.io/prometheus/alertmanager <- spec.image",
          "quay.io/prometheus-operator/prometheus-config-reloader <- its --prometheus-config-reloader",
        ]),
      );
      expect(images.filter((i) => /thanos|acmesolver/.test(i.upstream))).toEqual([]);
    });

  if (stack === "admin")
    test("the CI runners' AutoscalingRunnerSet templates: the runner image, and BuildKit (an init container) through the Docker Hub cache", () => {
      expect(image(images, IMAGES.actionsRunner)?.users.map((u) => u.where)).toEqual(
        expect.arrayContaining([
          expect.stringMatching(/^AutoscalingRunnerSet .*admin-ci, container /),
          expect.stringMatching(/^AutoscalingRunnerSet .*admin-deploy, container /),
        ]),
      );
      expect(images.map((i) => i.upstream)).toContain(`docker.io/${IMAGES.buildkitRootless}`);
    });
});
