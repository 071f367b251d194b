/**
 * No error path prints a secret: every secret key of every stack is misspelled and mistyped in the ways operators
 * do, and no secret of any stack may appear in any message.
 */
import * as pulumi from "@pulumi/pulumi";
import { ConfigError } from "../../config/load";
import { SECRET_KEYS } from "../../config/schema";
import { readTestSecrets, runStack, RunOptions, StackConfig } from "../../mock-engine";

const STACKS = ["e2e", "stage", "prod", "admin"] as const;

function leafStrings(value: unknown): string[] {
  if (typeof value === "string") return [value];
  return value && typeof value === "object" ? Object.values(value).flatMap(leafStrings) : [];
}

/** Every secret of the fixtures, and every line of the multi-line ones (a PEM body line is a secret too). */
const SECRET_VALUES = STACKS.flatMap((stack) => leafStrings(readTestSecrets(stack)))
  .flatMap((secret) => [secret, ...secret.split("\n").filter((line) => line.length >= 12)])
  .filter((secret, i, all) => all.indexOf(secret) === i);

/** Runs `stack` and returns its config error after the checks every config error must pass. */
async function failure(stack: string, options: RunOptions): Promise<string> {
  const error = await runStack(stack, options).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ConfigError);
  expect(error).toBeInstanceOf(pulumi.RunError); // the engine prints a RunError's message without a stack trace
  expect(error).toHaveProperty("resourcesRegistered", 0);
  const message = (error as Error).message;
  expect(message.split("\n")[0]).toBe(`Invalid configuration for stack "${stack}" (Pulumi.${stack}.yaml); nothing was deployed:`);
  for (const secret of SECRET_VALUES) expect(message).not.toContain(secret);
  return message;
}

const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/** The misspellings operators make: a letter dropped, two letters swapped, the wrong case. */
function misspellings(key: string): string[] {
  const swapped = key.slice(0, 2) + key[3] + key[2] + key.slice(4);
  return [key.slice(0, -2) + key.slice(-1), swapped, key.toLowerCase()];
}

/** [stack, secret key] for every secret key the stack's fixtures set. */
const SET_KEYS = STACKS.flatMap((stack) =>
  Object.keys(readTestSecrets(stack)).map((fullKey) => [stack, fullKey.replace(/^platform:/, "")] as const),
);

test("the fixtures set every secret key in some stack", () => {
  expect(new Set(SET_KEYS.map(([, key]) => key))).toEqual(new Set(SECRET_KEYS));
});

describe.each(SET_KEYS)("%s: platform:%s", (stack, key) => {
  const fullKey = `platform:${key}`;
  const withSecrets = (edit: (secrets: StackConfig) => void) => {
    const secrets = structuredClone(readTestSecrets(stack));
    edit(secrets);
    return secrets;
  };

  test.each(misspellings(key))("misspelled as %s and stored encrypted", async (misspelled) => {
    const secrets = withSecrets((s) => {
      s[`platform:${misspelled}`] = s[fullKey];
      delete s[fullKey];
    });
    const message = await failure(stack, { secrets });
    expect(message).toMatch(
      new RegExp(`platform:${escape(misspelled)} = \\[secret\\]: expected a known key \\(did you mean "${key}"\\?\\)`),
    );
  });

  test.each(misspellings(key))("misspelled as %s and stored in plain text", async (misspelled) => {
    const secrets = withSecrets((s) => delete s[fullKey]);
    const value = readTestSecrets(stack)[fullKey];
    const message = await failure(stack, { secrets, configure: (c) => (c[`platform:${misspelled}`] = value) });
    expect(message).toMatch(
      new RegExp(`platform:${escape(misspelled)} = \\[secret\\]: expected a known key \\(did you mean "${key}"\\?\\)`),
    );
  });

  test("with its namespace misspelled (platfrom:) or left out (k8s-platform:)", async () => {
    for (const namespace of ["platfrom", "k8s-platform"]) {
      const secrets = withSecrets((s) => {
        s[`${namespace}:${key}`] = s[fullKey];
        delete s[fullKey];
      });
      const message = await failure(stack, { secrets });
      expect(message).toMatch(new RegExp(`^  ${namespace}:${key} = \\[secret\\]: expected platform:${key}: `, "m"));
    }
  });

  test("of the wrong type", async () => {
    const original = readTestSecrets(stack)[fullKey];
    const isMap = typeof original === "object";
    // A map given as one value; a value given as a map (what `--path` does to a key with a dot in it).
    const mistyped = isMap ? leafStrings(original)[0] : { [key]: original };
    const message = await failure(stack, { secrets: withSecrets((s) => (s[fullKey] = mistyped)) });
    expect(message).toMatch(
      new RegExp(
        `platform:${key} = \\[secret\\]: expected ${isMap ? "a mapping \\(key: value\\), not a string" : "a string, not a mapping"}`,
      ),
    );
  });

  test("stored in plain text", async () => {
    const value = readTestSecrets(stack)[fullKey];
    const message = await failure(stack, { secrets: withSecrets((s) => delete s[fullKey]), configure: (c) => (c[fullKey] = value) });
    expect(message).toMatch(
      new RegExp(`platform:${key} = \\[secret\\]: expected an encrypted value: set it with \`pulumi config set --secret ${fullKey}\``),
    );
  });
});

describe("a misspelled entry of a secret map is named, its value never shown", () => {
  const maps = SET_KEYS.filter(([stack, key]) => typeof readTestSecrets(stack)[`platform:${key}`] === "object");

  test.each(maps)("%s: platform:%s", async (stack, key) => {
    const fullKey = `platform:${key}`;
    const secrets = structuredClone(readTestSecrets(stack));
    const [entry] = Object.keys(secrets[fullKey]);
    const misspelled = entry.slice(0, -2) + entry.slice(-1) + entry.slice(-2, -1);
    secrets[fullKey][misspelled] = secrets[fullKey][entry];
    delete secrets[fullKey][entry];
    const message = await failure(stack, { secrets });
    const path = (name: string) => (/^[A-Za-z_][\w-]*$/.test(name) ? `${key}.${name}` : `${key}[${JSON.stringify(name)}]`);
    expect(message).toContain(`platform:${path(entry)} = [secret]: expected a secret: `);
    expect(message).toContain(`; ${path(misspelled)} is set but nothing uses it (a misspelling?)`);
  });

  test("an entry nested by `--path` without quotes (registryPasswords.quay.io) is a wrong type, not shown", async () => {
    const secrets = structuredClone(readTestSecrets("prod"));
    const token = secrets["platform:registryPasswords"]["quay.io"];
    delete secrets["platform:registryPasswords"]["quay.io"];
    secrets["platform:registryPasswords"].quay = { io: token };
    const message = await failure("prod", { secrets });
    expect(message).toMatch(/platform:registryPasswords\.quay = \[secret\]: expected a string, not a mapping/);
  });

  test("a secret too short, or not a PEM key, is reported without its value", async () => {
    const secrets = structuredClone(readTestSecrets("admin"));
    secrets["platform:oidcClientSecrets"]["grafana-prod"] = "short-secret";
    secrets["platform:githubAppPrivateKey"] = "ssh-rsa AAAAB3NzaC1yc2E-not-a-pem-key";
    const message = await failure("admin", { secrets });
    expect(message).toMatch(/platform:oidcClientSecrets\.grafana-prod = \[secret\]: expected at least 16 characters/);
    expect(message).toMatch(/platform:githubAppPrivateKey = \[secret\]: expected a PEM private key/);
    expect(message).not.toContain("short-secret");
    expect(message).not.toContain("AAAAB3NzaC1yc2E");
  });
});

describe("secret-looking values outside the secret keys are not shown either", () => {
  test("a password put inside a section, and ambient provider credentials", async () => {
    const message = await failure("prod", {
      configure: (c) => {
        c["platform:registries"].pullThroughCache[0].password = "quay-robot-token-prod";
        c["aws:secretKey"] = "wJalrXUtnFEMI-K7MDENG-bPxRfiCYEXAMPLEKEY";
        c["kubernetes:kubeconfig"] = "apiVersion: v1\nusers:\n- name: admin\n  user: { token: eyJhbGciOi-kubeconfig-token }\n";
      },
    });
    expect(message).toMatch(/platform:registries\.pullThroughCache\[0\]\.password = \[secret\]: expected a known key/);
    expect(message).toMatch(/^ {2}aws:secretKey = \[secret\]: expected no aws: keys/m);
    expect(message).toMatch(/^ {2}kubernetes:kubeconfig = \[5 lines, not shown\]: expected no kubernetes: keys/m);
    expect(message).not.toMatch(/wJalrXUtnFEMI|eyJhbGciOi/);
  });
});

test("a message quoting a value that happens to be a secret shows [secret] instead", async () => {
  const secrets = { ...structuredClone(readTestSecrets("prod")), "platform:grafanaAdminPassword": "data-warehouse" };
  const error = await runStack("prod", {
    secrets,
    configure: (c) => (c["platform:teams"][0].namespaces = ["payments", "data-warehouse"]),
  }).catch((e: Error) => e);
  expect(error).toBeInstanceOf(ConfigError);
  const message = (error as Error).message;
  expect(message).toMatch(
    /platform:teams\[2\]\.namespaces\[1\] = "\[secret\]": expected a namespace not owned by another team \("\[secret\]" belongs to payments\)/,
  );
  expect(message).not.toContain("data-warehouse");
});
