/**
 * A team's ServiceMonitors and PodMonitors direct the platform's Prometheus, which runs with its own service
 * account token and reaches every namespace. prometheus-operator (v0.93) reads `bearerTokenFile` and the TLS
 * `caFile`/`certFile`/`keyFile` from Prometheus's own file system, so a team could make it send its token to a pod
 * of the team's; `namespaceSelector` (`any`, or other names) scrapes other teams' pods; a relabelling that sets
 * `__address__` scrapes any address at all (pkg/prometheus/resource_selector.go `testForArbitraryFSAccess`,
 * promcfg.go `getNamespacesFromNamespaceSelector`). The monitoring component's `arbitraryFSAccessThroughSMs` and
 * `ignoreNamespaceSelectors` make Prometheus skip such monitors; refusing them here says so to the team at apply
 * time, and holds where Prometheus is configured otherwise.
 */
import { AdmissionContext, TeamAdmissionPolicy } from "./cel";

const TLS_FILES = ["caFile", "certFile", "keyFile"];

/**
 * A relabeling before the scrape that cannot move the target: no labelmap (its replacement may name `__address__`), no
 * templated target label (`$1` may expand to one), and of the internal labels only those that keep the target's
 * address (the query parameters, the path, the scheme, the interval and timeout, temporaries). prometheus-operator
 * accepts all of these (its validation checks the syntax), and Prometheus applies them in order after the platform's.
 */
const TARGET = "r.?targetLabel.orValue('')";
const SAFE_RELABELING =
  `r.?action.orValue('replace').lowerAscii() != 'labelmap' && !${TARGET}.contains('$') && ` +
  `(!${TARGET}.startsWith('__') || ${TARGET}.startsWith('__param_') || ${TARGET}.startsWith('__tmp_') || ` +
  `${TARGET} in ['__metrics_path__', '__scheme__', '__scrape_interval__', '__scrape_timeout__'])`;

export function teamMonitors(_context: AdmissionContext): TeamAdmissionPolicy {
  return {
    name: "team-namespaces-monitors",
    resourceRules: [
      {
        apiGroups: ["monitoring.coreos.com"],
        apiVersions: ["*"],
        resources: ["servicemonitors", "podmonitors"],
        operations: ["CREATE", "UPDATE"],
      },
    ],
    variables: [
      {
        name: "endpoints",
        expression: "object.kind == 'ServiceMonitor' ? object.spec.?endpoints.orValue([]) : object.spec.?podMetricsEndpoints.orValue([])",
      },
      { name: "selector", expression: "object.spec.?namespaceSelector.orValue({})" },
      { name: "kind", expression: "object.kind + ' ' + object.metadata.?name.orValue('')" },
    ],
    validations: [
      {
        expression: "variables.endpoints.all(e, !has(e.bearerTokenFile))",
        message:
          "bearerTokenFile is read from Prometheus's own file system (its service account token): " +
          "use authorization.credentials, a Secret of the team's namespace",
        messageExpression:
          "variables.kind + \": bearerTokenFile is read from Prometheus's own file system (its service account token), " +
          "which team namespaces may not send anywhere: use authorization.credentials, a Secret of the team's namespace\"",
      },
      {
        expression: `variables.endpoints.all(e, ${TLS_FILES.map((file) => `!has(e.?tlsConfig.orValue({}).${file})`).join(" && ")})`,
        message:
          "tlsConfig caFile, certFile and keyFile are read from Prometheus's own file system: " +
          "use tlsConfig ca, cert and keySecret, from the team's namespace",
        messageExpression:
          "variables.kind + \": tlsConfig caFile, certFile and keyFile are read from Prometheus's own file system, " +
          "which team namespaces may not use: use tlsConfig ca, cert and keySecret, from the team's namespace\"",
      },
      {
        expression: "!variables.selector.?any.orValue(false) && variables.selector.?matchNames.orValue([]).all(n, n == request.namespace)",
        message: "namespaceSelector may only select the monitor's own namespace: leave it out",
        messageExpression:
          'variables.kind + ": namespaceSelector reaches beyond namespace " + request.namespace + ", into other teams\' pods: ' +
          'leave it out (a monitor scrapes its own namespace); each namespace of the team has its own monitors"',
      },
      {
        expression: `variables.endpoints.all(e, e.?relabelings.orValue([]).all(r, ${SAFE_RELABELING}))`,
        message:
          "relabelings may not set __address__ or another internal label, template a target label, or labelmap (each can make " +
          "Prometheus scrape any address): select the targets by port",
        messageExpression:
          'variables.kind + ": a relabeling that sets __address__ (or another internal label), templates its target label or ' +
          "maps labels (labelmap) can make Prometheus scrape any address, other teams' and the platform's included: select the " +
          "targets of the monitor's namespace by port instead\"",
      },
    ],
  };
}
