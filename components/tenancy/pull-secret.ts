import * as pulumi from "@pulumi/pulumi";

export interface RegistryCredential {
  readonly server: string;
  readonly username: string;
  readonly password: pulumi.Output<string>;
}

/** The `.dockerconfigjson` of an imagePullSecret for several registries; secret, since it holds passwords. */
export function dockerConfigJson(credentials: readonly RegistryCredential[]): pulumi.Output<string> {
  const json = pulumi.all(credentials.map((c) => c.password)).apply((passwords) => {
    const auths = Object.fromEntries(
      credentials.map((c, i) => [
        c.server,
        { username: c.username, password: passwords[i], auth: Buffer.from(`${c.username}:${passwords[i]}`).toString("base64") },
      ]),
    );
    return JSON.stringify({ auths });
  });
  return pulumi.secret(json);
}
