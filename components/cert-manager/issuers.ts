import { IssuerName } from "../../config/sections/services";

const ACME_DIRECTORIES = {
  "letsencrypt-staging": "https://acme-staging-v02.api.letsencrypt.org/directory",
  "letsencrypt-prod": "https://acme-v02.api.letsencrypt.org/directory",
} as const;
export type AcmeIssuerName = keyof typeof ACME_DIRECTORIES;

export function isAcmeIssuer(issuer: IssuerName): issuer is AcmeIssuerName {
  return issuer in ACME_DIRECTORIES;
}

export interface Dns01Zone {
  /** `<env>.<domain>`: the solver answers challenges for names in this zone only. */
  readonly dnsZone: string;
  readonly hostedZoneId: string;
  readonly region: string;
}

/**
 * A Let's Encrypt ClusterIssuer solving DNS-01 through Route53. No `role` and no static keys: the controller's
 * own IRSA credentials are used (a `role` would make cert-manager assume its own role, which its trust policy
 * does not allow). DNS-01 rather than HTTP-01, because the API and most services are private.
 */
export function acmeIssuerSpec(issuer: AcmeIssuerName, email: string, zone: Dns01Zone) {
  return {
    acme: {
      server: ACME_DIRECTORIES[issuer],
      email,
      privateKeySecretRef: { name: `${issuer}-account-key` },
      solvers: [
        {
          selector: { dnsZones: [zone.dnsZone] },
          dns01: { route53: { region: zone.region, hostedZoneID: zone.hostedZoneId } },
        },
      ],
    },
  };
}

/**
 * The e2e CA: a self-signed Issuer in cert-manager's namespace signs one CA certificate there, whose key then
 * signs every e2e certificate through the `selfsigned-ca` ClusterIssuer.
 */
export const SELF_SIGNED_CHAIN = {
  /** A namespaced Issuer, in cert-manager's namespace. */
  bootstrapIssuer: "selfsigned-bootstrap",
  /** Certificate and Secret of the CA, in cert-manager's namespace (where a CA ClusterIssuer reads it). */
  caSecret: "selfsigned-ca",
  caIssuer: "selfsigned-ca" satisfies IssuerName,
} as const;

export function selfSignedCaCertificateSpec(environment: string) {
  return {
    isCA: true,
    commonName: `${environment} platform test CA`,
    secretName: SELF_SIGNED_CHAIN.caSecret,
    // A year, renewed by cert-manager at two thirds: e2e clusters rarely live that long.
    duration: "8760h0m0s",
    privateKey: { algorithm: "ECDSA", size: 256 },
    issuerRef: { name: SELF_SIGNED_CHAIN.bootstrapIssuer, kind: "Issuer", group: "cert-manager.io" },
  };
}
