/**
 * The Elasticsearch HTTP CA, copied into the agents' namespace so that Fluent Bit verifies the certificate it
 * ships logs to. ECK publishes the CA in `<es>-es-http-certs-public` (key `ca.crt`) in the Elasticsearch
 * namespace ("Manage HTTP certificates on ECK"), and a pod can mount Secrets of its own namespace only.
 *
 * Why a copy made by the program, and not another way:
 * - ECK hands the CA to other namespaces only for clients it manages itself (Beats, Agent, Logstash through
 *   `elasticsearchRef`); Fluent Bit is not one of them.
 * - An init container fetching the Secret from the API at pod start would need an image with an HTTP client (of
 *   the pinned images only Elasticsearch's has one, far too large to pull onto every node) and RBAC on another
 *   namespace's Secret.
 * - The program can read the Secret once Elasticsearch is up, and the index-lifecycle Job already proves that:
 *   the read waits for the Job, and its id depends on the Job's, so a preview that creates the Job skips the read
 *   (the engine reads only known ids) and the first `up` reads after the cluster answered. Every later preview
 *   reads the live Secret again, so a CA ECK has rotated shows up as a diff of the copy (and in the nightly drift
 *   check) and the next `up` restarts the agents with it.
 * The operator's CA validity is raised to ten years (eck-operator value `config.caValidity`), so that a rotation
 * is rare; the server certificates under it still rotate yearly without touching the copy.
 */
import { createHash } from "crypto";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { HTTP_CA_SECRET } from "./elasticsearch";

/** The copy in the agents' namespace, mounted by Fluent Bit. */
export const AGENT_CA_SECRET = "elasticsearch-http-ca";
const CA_KEY = "ca.crt";

export interface CaMirrorArgs {
  readonly provider: k8s.Provider;
  /** Where ECK publishes the CA (the Elasticsearch namespace). */
  readonly sourceNamespace: string;
  /** Where the agents run. */
  readonly targetNamespace: string;
  readonly labels: Record<string, string>;
  /** Completes only once Elasticsearch answers, hence once ECK has written the CA Secret. */
  readonly elasticsearchReady: pulumi.CustomResource;
}

export interface CaMirror {
  readonly secret: k8s.core.v1.Secret;
  /** Changes with the CA, so that pods which loaded the old one restart. */
  readonly revision: pulumi.Output<string>;
}

export function mirrorElasticsearchCa(parent: pulumi.Resource, name: string, args: CaMirrorArgs): CaMirror {
  const opts = { parent, provider: args.provider };
  const sourceId = args.elasticsearchReady.id.apply(() => `${args.sourceNamespace}/${HTTP_CA_SECRET}`);
  const source = k8s.core.v1.Secret.get(`${name}-es-ca-source`, sourceId, { ...opts, dependsOn: args.elasticsearchReady });
  const caData = source.data.apply((data) => {
    const ca = data?.[CA_KEY];
    if (!ca)
      throw new pulumi.RunError(
        `Secret ${args.sourceNamespace}/${HTTP_CA_SECRET} has no ${CA_KEY}: ECK did not publish the Elasticsearch HTTP CA`,
      );
    return ca;
  });
  const secret = new k8s.core.v1.Secret(
    `${name}-es-ca`,
    { metadata: { name: AGENT_CA_SECRET, namespace: args.targetNamespace, labels: args.labels }, data: { [CA_KEY]: caData } },
    opts,
  );
  const revision = pulumi.unsecret(caData.apply((ca) => createHash("sha256").update(ca).digest("hex").slice(0, 16)));
  return { secret, revision };
}

/** Where the agents find the CA file. */
export const AGENT_CA_DIR = "/fluent-bit/tls";
export const AGENT_CA_FILE = `${AGENT_CA_DIR}/${CA_KEY}`;
