/**
 * Images that no object names, because an operator derives them from a custom resource: ECK's Elasticsearch and
 * Kibana images from their `spec.version`, and the tigera-operator's Calico images from the Installation.
 */
import * as path from "path";
import { parse } from "yaml";
import { CHARTS } from "../../lib/versions";
import { KubeObject } from "./collect";

/** An object and the platform component that puts it into the cluster (verify's Candidate is one). */
export interface SourcedObject {
  readonly component: string;
  readonly object: KubeObject;
}

/** Who runs an image: the component, and the object and container (or the operator that derives it). */
export interface ImageUser {
  readonly component: string;
  readonly where: string;
}

/**
 * ECK (cloud-on-k8s pkg/controller/common/container/container.go, `ImageRepository`): `<container-registry>/<image>
 * <suffix>:<spec.version>`, where `container-repository` replaces the image's path and `container-suffix` is
 * appended; `--ubi-only` adds `-ubi` to 8.x stacks (from 8.12; older ones `-ubi8`, which this does not derive) and
 * nothing from 9.x, where every stack image is UBI already. The operator reads these
 * from its config file, which the eck-operator chart renders into the ConfigMap holding `eck.yaml`.
 */
const ECK_IMAGES: Record<string, string> = {
  "elasticsearch.k8s.elastic.co/Elasticsearch": "elasticsearch/elasticsearch",
  "kibana.k8s.elastic.co/Kibana": "kibana/kibana",
};
const ECK_DEFAULT_REGISTRY = "docker.elastic.co";

/**
 * The tigera-operator (tigera/operator v1.42.3, which the tigera-operator chart of the pinned Calico release runs;
 * pkg/components/references.go `GetReference`): `<registry><imagePath><imagePrefix><image>:<Calico release>`,
 * registry `quay.io/` and image path `calico/` unless the Installation sets them. Which components run
 * (pkg/render/node.go, csi.go, typha.go, kubecontrollers): calico-node, Typha and kube-controllers always; the
 * flexvolume init container unless `flexVolumePath: None`; the CSI driver and its registrar unless
 * `kubeletVolumePluginPath: None`; the CNI installer when Calico is the CNI; the optional components when their
 * custom resource exists. For the Calico variant without FIPS mode, as the program installs it.
 */
const CALICO_DEFAULT_REGISTRY = "quay.io/";
const CALICO_DEFAULT_IMAGE_PATH = "calico/";
const CALICO_OPTIONAL: Record<string, readonly string[]> = {
  APIServer: ["apiserver"],
  Goldmane: ["goldmane"],
  Whisker: ["whisker", "whisker-backend"],
};

export function operatorDerivedImages(objects: readonly SourcedObject[]): { reference: string; user: ImageUser }[] {
  return [...eckImages(objects), ...calicoImages(objects)];
}

function eckImages(objects: readonly SourcedObject[]) {
  const config = eckConfig(objects.map((o) => o.object));
  return objects.flatMap(({ component, object }) => {
    const image = ECK_IMAGES[`${object.apiVersion.split("/")[0]}/${object.kind}`];
    const spec = (object.spec ?? {}) as { image?: string; version?: string };
    if (!image) return [];
    const where = `${object.kind} ${object.metadata.namespace}/${object.metadata.name}`;
    if (spec.image) return [{ reference: spec.image, user: { component, where: `${where}, spec.image` } }];
    if (!spec.version) return [];
    const major = Number(spec.version.split(".")[0]);
    const repository = config.repository ? `${config.repository}/${path.posix.basename(image)}` : image;
    const suffix = config.ubiOnly ? (major >= 9 ? "" : "-ubi") : (config.suffix ?? "");
    return [
      {
        reference: `${config.registry}/${repository}${suffix}:${spec.version}`,
        user: { component, where: `${where}, derived by the ECK operator from spec.version` },
      },
    ];
  });
}

function eckConfig(objects: readonly KubeObject[]): { registry: string; repository?: string; suffix?: string; ubiOnly: boolean } {
  const file = objects.find((o) => o.kind === "ConfigMap" && typeof (o.data as Record<string, string>)?.["eck.yaml"] === "string");
  const settings = (file ? parse((file.data as Record<string, string>)["eck.yaml"]) : {}) ?? {};
  return {
    registry: settings["container-registry"] || ECK_DEFAULT_REGISTRY,
    repository: settings["container-repository"] || undefined,
    suffix: settings["container-suffix"] || undefined,
    ubiOnly: settings["ubi-only"] === true,
  };
}

function calicoImages(objects: readonly SourcedObject[]) {
  const isTigera = (o: KubeObject) => o.apiVersion.startsWith("operator.tigera.io/");
  const installation = objects.find(
    ({ object }) => isTigera(object) && object.kind === "Installation" && object.metadata.name === "default",
  );
  if (!installation) return [];
  const spec = (installation.object.spec ?? {}) as Record<string, any>;
  const names = [
    "node",
    "typha",
    "kube-controllers",
    ...(spec.flexVolumePath === "None" ? [] : ["pod2daemon-flexvol"]),
    ...(spec.kubeletVolumePluginPath === "None" ? [] : ["csi", "node-driver-registrar"]),
    ...(spec.cni?.type === "Calico" ? ["cni"] : []),
  ];
  const optional = objects.filter(({ object }) => isTigera(object) && CALICO_OPTIONAL[object.kind]);
  const repository = (name: string) =>
    path.posix.join(
      spec.registry || CALICO_DEFAULT_REGISTRY,
      spec.imagePath || CALICO_DEFAULT_IMAGE_PATH,
      `${spec.imagePrefix ?? ""}${name}`,
    );
  const derived = (owner: SourcedObject, name: string) => ({
    reference: `${repository(name)}:${CHARTS.tigeraOperator.version}`,
    user: { component: owner.component, where: `${owner.object.kind} ${owner.object.metadata.name}, derived by the tigera-operator` },
  });
  return [
    ...names.map((name) => derived(installation, name)),
    ...optional.flatMap((owner) => CALICO_OPTIONAL[owner.object.kind].map((name) => derived(owner, name))),
  ];
}
