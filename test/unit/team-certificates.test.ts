/**
 * Each team's names on TLS in an AWS environment: the environment's certificate covers `<team>.<env>.<domain>` and
 * nothing under it (a wildcard stands for one label), so each team gets `*.<team>.<env>.<domain>`, validated in the
 * environment's zone, as a child of its Team so that it moves with the team into a shard and back.
 */
import type { TeamConfig } from "../../config/sections/tenancy";
import { readStackConfig, RecordedResource, runStack, StackRun } from "../../mock-engine";
import { runsBeforeAll } from "../stack-runs";

const ENVIRONMENTS = ["e2e", "stage", "prod"] as const;
const CERTIFICATE = "aws:acm/certificate:Certificate";
const RECORD = "aws:route53/record:Record";

const runs = runsBeforeAll([...ENVIRONMENTS, "local"]);
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
        tags: { team: team.name, owner: team.owner, Name: `*.${team.name}.${stack}.${domain}` },
      });
      expect(certificate.provider).toMatch(/::team-aws::/);
      const [record] = childrenOf(run, component.urn).filter((r) => r.type === RECORD);
      expect(record.inputs.zoneId).toBe(hostedZoneId);
    }
  });

  test("the environment's certificate stays the one wildcard of the environment's domain", () => {
    const { domain } = environment(stack);
    const environmentWide = runs[stack].ofType(CERTIFICATE).filter((c) => !c.inputs.tags?.team);
    expect(environmentWide.map((c) => c.inputs.domainName)).toContain(`*.${stack}.${domain}`);
  });
});

test("the teams' provider keeps the state of the provider it was before (team-ci)", () => {
  const provider = runs.prod.one("pulumi:providers:aws", "team-aws");
  expect(provider.aliases).toEqual([expect.objectContaining({ name: "team-ci" })]);
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
