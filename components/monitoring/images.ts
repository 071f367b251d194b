import { RegistryMirrors, registryThroughMirror } from "../../lib/images";

/**
 * Where kube-prometheus-stack 88.5.3 pulls each image it runs from: the `registry` of each image value, at the
 * chart's own repositories and tags. Not the chart's `global.imageRegistry`: it would put every image under
 * one registry, but these come from three (Quay; registry.k8s.io; Docker Hub for Grafana, grafana.ts),
 * each with a cache path of its own. The Prometheus and Alertmanager images are the operator's custom
 * resources' (`prometheusSpec.image`, `alertmanagerSpec.image`); the config reloader it injects into both.
 */
export function stackImageRegistries(mirrors: RegistryMirrors) {
  const quay = { registry: registryThroughMirror("quay.io", mirrors) };
  return {
    prometheus: quay,
    alertmanager: quay,
    operator: {
      image: quay,
      prometheusConfigReloader: { image: quay },
    },
    kubeStateMetrics: { registry: registryThroughMirror("registry.k8s.io", mirrors) },
    nodeExporter: quay,
  };
}
