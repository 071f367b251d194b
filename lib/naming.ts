/**
 * The one place where names, tags, labels and DNS names are derived, so that every environment,
 * team and cloud resource is named and attributed the same way.
 */

export const LABEL_PREFIX = "platform.example.io";

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
