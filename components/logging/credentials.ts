/**
 * Credentials the logging stack uses only internally: Fluent Bit's and the Kibana viewer's Elasticsearch
 * passwords and oauth2-proxy's cookie key. Nobody types them, so instead of more secrets for the operator to
 * set they are derived (HMAC-SHA256) from Kibana's Dex client secret: stable from one run to the next, never
 * in plain text in the state, different per purpose, and rotated together with that client secret.
 */
import { createHash, createHmac } from "crypto";
import * as pulumi from "@pulumi/pulumi";

export type CredentialPurpose = "fluent-bit" | "kibana-viewer" | "oauth2-proxy-cookie";

export function derivedCredential(seed: pulumi.Input<string>, purpose: CredentialPurpose): pulumi.Output<string> {
  // 32 characters: also a valid AES key length for oauth2-proxy's cookie secret.
  return pulumi.secret(pulumi.output(seed).apply((key) => createHmac("sha256", key).update(purpose).digest("base64url").slice(0, 32)));
}

/** A fingerprint that changes with the credential and reveals nothing about it. */
export function revisionOf(credential: pulumi.Output<string>): pulumi.Output<string> {
  return pulumi.unsecret(credential.apply((value) => createHash("sha256").update(value).digest("hex").slice(0, 16)));
}
