import { NULL_RECEIVER, ReceiverConfig } from "../../config/sections/observability";

/** The Secret holding each receiver's URL or routing key under the receiver's name. */
export const RECEIVER_SECRET = "alertmanager-receivers";

/** Where the operator mounts `alertmanagerSpec.secrets`: /etc/alertmanager/secrets/<secret>/<key>. */
export function receiverSecretFile(receiver: string): string {
  return `/etc/alertmanager/secrets/${RECEIVER_SECRET}/${receiver}`;
}

/**
 * Each integration reads its secret from the mounted file (`*_file`), so the URL or key never appears in
 * the Alertmanager configuration, in the chart values or in a preview diff.
 */
function integration(receiver: ReceiverConfig): Record<string, unknown> {
  const file = receiverSecretFile(receiver.name);
  switch (receiver.type) {
    case "slack":
      return { slack_configs: [{ api_url_file: file, send_resolved: true }] };
    case "pagerduty":
      return { pagerduty_configs: [{ routing_key_file: file, send_resolved: true }] };
    case "webhook":
      return { webhook_configs: [{ url_file: file, send_resolved: true }] };
  }
}

/**
 * The route tree and receivers; the chart's defaults for timing, inhibition and templates stay. Every receiver
 * gets the severities it asks for (`continue`, so several receivers can take one severity); anything no
 * receiver takes, and the always-firing Watchdog, ends at the catch-all receiver.
 */
export function alertmanagerConfig(receivers: readonly ReceiverConfig[]) {
  return {
    route: {
      receiver: NULL_RECEIVER,
      group_by: ["namespace", "alertname"],
      routes: [
        { receiver: NULL_RECEIVER, matchers: ['alertname = "Watchdog"'] },
        ...receivers.map((r) => ({ receiver: r.name, matchers: [`severity =~ "${r.severities.join("|")}"`], continue: true })),
      ],
    },
    receivers: [{ name: NULL_RECEIVER }, ...receivers.map((r) => ({ name: r.name, ...integration(r) }))],
  };
}
