/**
 * The one place where names, tags, labels and DNS names are derived, so that every environment,
 * team and cloud resource is named and attributed the same way.
 */

export const LABEL_PREFIX = "platform.example.io";

/** The label every team namespace carries (its value: the team), which admission and network policy select on. */
export const TEAM_LABEL = `${LABEL_PREFIX}/team`;

/**
 * The first labels of `<service>.<env>.<domain>` the platform publishes or may publish: a team named after one
 * would own the platform's name (Naming.teamDomain), so a team may not take these names. `dashboards` is also the
 * load balancer group of Grafana and Kibana, which a team's Ingress may join when the group bears the team's name.
 */
export const PLATFORM_SERVICE_NAMES = [
  "grafana",
  "kibana",
  "dex",
  "alertmanager",
  "prometheus",
  "vpn",
  "auth",
  "api",
  "dashboards",
] as const;

/** The dashboards' one load balancer, an ALB IngressGroup (components/load-balancing/ingress-classes.ts). */
export const PLATFORM_INGRESS_GROUP: (typeof PLATFORM_SERVICE_NAMES)[number] = "dashboards";

/** `<team>.<env>.<domain>`: a team's own DNS names are this one and every name under it (Naming.teamDomain). */
export function teamDomainOf(team: string, environment: string, domain: string): string {
  return `${team}.${environment}.${domain}`;
}

/** The certificate of a team's names (components/dns/team-certificate.ts): one label under its domain. */
export function teamCertificateDomainOf(team: string, environment: string, domain: string): string {
  return `*.${teamDomainOf(team, environment, domain)}`;
}

export interface Ownership {
  readonly owner: string;
  readonly costCentre: string;
}

export class Naming {
  constructor(
    readonly environment: string,
    readonly domain: string,
    private readonly defaultOwnership: Ownership,
  ) {}

  /** Physical name of a cloud resource of this environment, e.g. `prod-eks`. */
  resource(...parts: string[]): string {
    return [this.environment, ...parts].join("-");
  }

  /** `<service>.<env>.<domain>`, e.g. `grafana.prod.example.com`. */
  dns(service: string): string {
    return `${service}.${this.environment}.${this.domain}`;
  }

  /**
   * A team's own DNS names: `<team>.<env>.<domain>` and every name under it. Admission in team namespaces holds
   * Ingress hosts, Certificates and external-dns names to these; the platform's services take
   * `<service>.<env>.<domain>` (PLATFORM_SERVICE_NAMES), which no team may be named after.
   */
  teamDomain(team: string): string {
    return teamDomainOf(team, this.environment, this.domain);
  }

  /** `https://<service>.<env>.<domain>`. */
  url(service: string, path = ""): string {
    return `https://${this.dns(service)}${path}`;
  }

  /** AWS tags for cost allocation and ownership; a team's resources carry the team and its owner. */
  tags(team?: { name: string } & Partial<Ownership>): Record<string, string> {
    return {
      environment: this.environment,
      owner: team?.owner ?? this.defaultOwnership.owner,
      "cost-centre": team?.costCentre ?? this.defaultOwnership.costCentre,
      ...(team ? { team: team.name } : {}),
      "managed-by": "pulumi",
    };
  }

  /** Kubernetes annotations that say who to ask about an object and who pays for it. */
  ownership(owner: Ownership): Record<string, string> {
    return { [`${LABEL_PREFIX}/owner`]: owner.owner, [`${LABEL_PREFIX}/cost-centre`]: owner.costCentre };
  }

  /** Kubernetes labels that say which environment (and team) an object belongs to. */
  labels(team?: string): Record<string, string> {
    return {
      [`${LABEL_PREFIX}/environment`]: this.environment,
      ...(team ? { [`${LABEL_PREFIX}/team`]: team } : {}),
      "app.kubernetes.io/managed-by": "pulumi",
    };
  }
}
