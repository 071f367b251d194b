/**
 * Each team's names on TLS in an AWS environment: the environment's certificate covers `<team>.<env>.<domain>` and
 * nothing under it (a wildcard stands for one label), so each team gets `*.<team>.<env>.<domain>`, validated in the
 * environment's zone, as a child of its Team so that it moves with the team into a shard and back.
 */
import type { TeamConfig } from "../../config/sections/tenancy";
import { readStackConfig, RecordedResource, runStack, StackRun } from "../../mock-engine";
import { violationsOf } from "../config-errors";
import { runsBeforeAll } from "../stack-runs";

const ENVIRONMENTS = ["e2e", "stage", "prod"] as const;
const CERTIFICATE = "aws:acm/certificate:Certificate";
const RECORD = "aws:route53/record:Record";

const runs = runsBeforeAll([...ENVIRONMENTS, "local"]);
/** A team whose certificate, *.<team>.prod.platform.example.com (28 characters besides its name), is one too long. */
const LONG_NAMED = { name: "a".repeat(37), owner: "a@example.com", costCentre: "cc-1", groups: { developers: ["team-a"] } };
const environment = (stack: string) => readStackConfig(stack)["platform:environment"];
const teamsOf = (stack: string) => readStackConfig(stack)["platform:teams"] as TeamConfig[];
const childrenOf = (run: StackRun, urn: string): RecordedResource[] =>
  run.resources.filter((r) => r.parent === urn).flatMap((r) => [r, ...childrenOf(run, r.urn)]);

describe.each(ENVIRONMENTS)("%s", (stack) => {
  test("every team gets a certificate for the names under its domain, validated in the environment's zone", () => {
    const run = runs[stack];
    const { domain, hostedZoneId } = environment(stack);
    expect(teamsOf(stack).length).toBeGreaterThan(0);
    for (const team of teamsOf(stack)) {
      const component = run.one("platform:dns:TeamCertificate", `${team.name}-tls`);
      expect(component.parent).toBe(run.one("platform:tenancy:Team", team.name).urn);
      const [certificate] = childrenOf(run, component.urn).filter((r) => r.type === CERTIFICATE);
      expect(certificate.inputs).toMatchObject({
        domainName: `*.${team.name}.${stack}.${domain}`,
        validationMethod: "DNS",
        tags: { team: team.name, owner: team.owner, Name: `names under ${team.name}.${stack}.${domain}` },
      });
      expect(certificate.provider).toMatch(/::team-tls::/);
      const [record] = childrenOf(run, component.urn).filter((r) => r.type === RECORD);
      expect(record.inputs.zoneId).toBe(hostedZoneId);
    }
  });

  test("beside the teams', the environment's certificates stay its own wildcard (and admin's Dex name)", () => {
    const { domain } = environment(stack);
    const environmentWide = runs[stack].ofType(CERTIFICATE).filter((c) => !c.inputs.tags?.team);
    expect(environmentWide.map((c) => c.inputs.domainName)).toEqual([`*.${stack}.${domain}`]);
  });

  test("every certificate's tags are values ACM takes (no `*`: ACM API Reference, Tag)", () => {
    const tagValues = runs[stack].ofType(CERTIFICATE).flatMap((c) => Object.values(c.inputs.tags ?? {}) as string[]);
    expect(tagValues.filter((value) => !/^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u.test(value))).toEqual([]);
  });
});

test("a team whose certificate name would pass ACM's 64 characters is refused before anything is registered", async () => {
  const violations = await violationsOf("prod", (c) => c["platform:teams"].push(LONG_NAMED));
  expect(violations).toContainEqual(
    expect.stringMatching(
      /platform:teams\[\d+\]\.name = "a{37}": expected a name of at most 36 characters: its certificate \*\.a{37}\.prod\.platform\.example\.com is longer than ACM's 64$/,
    ),
  );
});

test("so is such a team in a tenancy shard of the environment", async () => {
  const error = await runStack("prod-tenancy-1", {
    configure: (c) => (c["platform:teams"] = [LONG_NAMED]),
    stackOutputs: { prod: runs.prod.outputs },
  }).then(
    () => undefined,
    (e: Error) => e,
  );
  expect(error?.message).toContain(
    `platform:teams[0].name = "${"a".repeat(37)}": expected a name of at most 36 characters: its certificate`,
  );
});

test("local, on a cluster of its own, has no AWS: its teams get no certificate", () => {
  expect(runs.local.ofType("platform:dns:TeamCertificate")).toEqual([]);
});

test("an environment without a public zone gives its teams none", async () => {
  const run = await runStack("e2e", {
    configure: (c) => {
      delete c["platform:environment"].hostedZoneId;
      // Let's Encrypt's DNS-01 challenges need the zone as well.
      const certManager = c["platform:services"].certManager;
      certManager.issuers = certManager.issuers.filter((issuer: string) => !issuer.startsWith("letsencrypt"));
    },
  });
  expect(run.ofType("platform:dns:TeamCertificate")).toEqual([]);
});
