/**
 * Keys and wording: a misspelled key anywhere (inside lists too) gets the keys that exist there, a key of
 * another namespace is named as written, a wrong type does not read as a missing value, no message stutters,
 * one mistake makes one message, and valid directory group names are accepted.
 */
import { violationsOf as configViolations } from "../config-errors";
import { runStack, StackConfig } from "../../mock-engine";

/** The violation lines, each in the one format every message has. */
async function violationsOf(stack: string, configure: (c: StackConfig) => void): Promise<string[]> {
  const lines = await configViolations(stack, configure);
  for (const line of lines) expect(line).toMatch(/^ {2}[\w-]+:\S.* = .+: expected /);
  return lines;
}

describe("a misspelled key inside a list gets the keys of the list's items", () => {
  const cases: [what: string, stack: string, edit: (c: StackConfig) => void, line: RegExp][] = [
    [
      "a node pool",
      "prod",
      (c) => (c["platform:cluster"].nodePools[1].maxsize = 30),
      /platform:cluster\.nodePools\[1\]\.maxsize = 30: expected a known key \(did you mean "maxSize"\?\); known keys here: name, capacityType, instanceTypes, minSize, desiredSize, maxSize/,
    ],
    [
      "a taint",
      "prod",
      (c) => (c["platform:cluster"].nodePools[0].taints[0].efect = "NoSchedule"),
      /platform:cluster\.nodePools\[0\]\.taints\[0\]\.efect = "NoSchedule": expected a known key \(did you mean "effect"\?\); known keys here: key, value, effect/,
    ],
    [
      "a team",
      "prod",
      (c) => (c["platform:teams"][2].costCenter = "cc-2300-data"),
      /platform:teams\[2\]\.costCenter = "cc-2300-data": expected a known key \(did you mean "costCentre"\?\); known keys here: name, owner, costCentre/,
    ],
    [
      "a team's groups",
      "local",
      (c) => (c["platform:teams"][0].groups.developer = ["team-alpha"]),
      /platform:teams\[0\]\.groups\.developer = \["team-alpha"\]: expected a known key \(did you mean "developers"\?\); known keys here: admins, developers, viewers/,
    ],
    [
      "an alert receiver",
      "prod",
      (c) => (c["platform:observability"].monitoring.alertmanager.receivers[1].severity = ["warning"]),
      /receivers\[1\]\.severity = \["warning"\]: expected a known key \(did you mean "severities"\?\); known keys here: name, type, severities/,
    ],
    [
      "a backup schedule",
      "prod",
      (c) => (c["platform:services"].backups.schedules[0].ttl_ = "48h"),
      /platform:services\.backups\.schedules\[0\]\.ttl_ = "48h": expected a known key \(did you mean "ttl"\?\); known keys here: name, cron, ttl/,
    ],
    [
      "a spoke",
      "admin",
      (c) => (c["platform:admin"].spokes[2].acountId = "111111111111"),
      /platform:admin\.spokes\[2\]\.acountId = "111111111111": expected a known key \(did you mean "accountId"\?\); known keys here: name, accountId, vpcCidr\b/,
    ],
    [
      "a pull-through cache rule",
      "prod",
      (c) => (c["platform:registries"].pullThroughCache[2].upstreem = "registry.k8s.io"),
      /pullThroughCache\[2\]\.upstreem = "registry\.k8s\.io": expected a known key \(did you mean "upstream"\?\); known keys here: prefix, upstream, username/,
    ],
  ];

  test.each(cases)("%s", async (_what, stack, edit, line) => {
    const lines = await violationsOf(stack, edit);
    expect(lines).toHaveLength(1); // the misspelled key only: not also "maxSize (not set)"
    expect(lines[0]).toMatch(line);
  });

  test("a misspelled required key is one message, not also the missing key it was meant to be", async () => {
    const lines = await violationsOf("prod", (c) => {
      c["platform:observabilty"] = c["platform:observability"];
      delete c["platform:observability"];
    });
    expect(lines).toEqual([
      expect.stringMatching(/^ {2}platform:observabilty = \{.*: expected a known key \(did you mean "observability"\?\)/),
    ]);
    const nested = await violationsOf("prod", (c) => {
      const prometheus = c["platform:observability"].monitoring.prometheus;
      prometheus.retension = prometheus.retention;
      delete prometheus.retention;
    });
    expect(nested).toEqual([expect.stringMatching(/prometheus\.retension = "15d": expected a known key \(did you mean "retention"\?\)/)]);
  });
});

describe("keys of other namespaces are named as written, with their values", () => {
  test("ambient provider keys", async () => {
    const lines = await violationsOf("prod", (c) => {
      c["aws:region"] = "eu-west-1";
      c["aws:profile"] = "prod-admin";
    });
    expect(lines).toContainEqual(
      expect.stringMatching(
        /^ {2}aws:region = "eu-west-1": expected no aws: keys: every resource uses the environment's explicit provider/,
      ),
    );
    expect(lines).toContainEqual(expect.stringMatching(/^ {2}aws:profile = "prod-admin": expected no aws: keys/));
  });

  test("a misspelled platform: namespace, also with a misspelled key", async () => {
    const lines = await violationsOf("prod", (c) => {
      c["platfrom:network"] = c["platform:network"];
      c["Platform:tenancy"] = c["platform:tenancy"];
      c["plaform:teems"] = c["platform:teams"];
    });
    expect(lines).toContainEqual(
      expect.stringMatching(
        /^ {2}platfrom:network = \{"vpcCidr":"10\.30\.0\.0\/16".*: expected platform:network: the namespace "platfrom" is a misspelling of "platform"$/,
      ),
    );
    expect(lines).toContainEqual(
      expect.stringMatching(
        /^ {2}Platform:tenancy = .*: expected platform:tenancy: the namespace "Platform" is a misspelling of "platform"$/,
      ),
    );
    expect(lines).toContainEqual(
      expect.stringMatching(
        /^ {2}plaform:teems = .*: expected platform:teams: the namespace "plaform" is a misspelling of "platform" \(and "teems" of "teams"\)$/,
      ),
    );
  });

  test("a key set without a namespace lands in the project's", async () => {
    const lines = await violationsOf("e2e", (c) => (c["k8s-platform:teams"] = []));
    expect(lines).toEqual([
      expect.stringMatching(
        /^ {2}k8s-platform:teams = \[\]: expected platform:teams: `pulumi config set` puts a key without a namespace under the project's, "k8s-platform:"/,
      ),
    ]);
  });
});

describe("wording", () => {
  test("a value of the wrong type says what it is, not that it is missing", async () => {
    const lines = await violationsOf("prod", (c) => {
      c["platform:network"].azCount = "3";
      c["platform:cluster"].kubernetesVersion = 1.3;
      c["platform:environment"].protectStatefulResources = "true";
      c["platform:teams"][0].namespaces = "payments";
    });
    expect(lines).toContainEqual(
      expect.stringMatching(/platform:network\.azCount = "3": expected a number, not a string \(write it without quotes\)$/),
    );
    expect(lines).toContainEqual(
      expect.stringMatching(/platform:cluster\.kubernetesVersion = 1\.3: expected a string, not a number \(quote it in YAML/),
    );
    expect(lines).toContainEqual(
      expect.stringMatching(
        /platform:environment\.protectStatefulResources = "true": expected true or false, not a string \(write true or false without quotes\)$/,
      ),
    );
    expect(lines).toContainEqual(expect.stringMatching(/platform:teams\[0\]\.namespaces = "payments": expected a list, not a string$/));
    expect(lines.join("\n")).not.toMatch(/expected a value/);
  });

  test("a missing value still says it is required", async () => {
    const lines = await violationsOf("prod", (c) => delete c["platform:network"].natGateways);
    expect(lines).toEqual([
      expect.stringMatching(/platform:network\.natGateways = \(not set\): expected a value \(required: one of "single", "perAz"\)$/),
    ]);
  });

  test("a mode's value of the wrong type names the modes", async () => {
    const lines = await violationsOf("prod", (c) => (c["platform:observability"].logging.enabled = "yes"));
    expect(lines).toEqual([
      expect.stringMatching(
        /platform:observability\.logging\.enabled = "yes": expected a valid "enabled": one of false, true \(write true or false without quotes\)$/,
      ),
    ]);
  });

  test("no message stutters or passes on the validator's own wording", async () => {
    const lines = await violationsOf("admin", (c) => {
      c["platform:network"].azCount = 0;
      c["platform:cluster"].nodePools[0].instanceTypes = [];
      c["platform:cluster"].adminRoleArns = [];
      c["platform:environment"].owner = "";
      c["platform:admin"].dex.ldap.bindDN = "";
      c["platform:admin"].spokes = [];
      c["platform:observability"].monitoring.alertmanager.receivers[0].severities = [];
      c["platform:services"].certManager.acmeEmail = "infra-at-example.com";
      c["platform:tenancy"].defaultQuota.pods = -1;
      c["platform:admin"].vpn.dnsServers = ["10.0.0.2", "10.0.0.3", "10.0.0.4"];
    });
    expect(lines).toHaveLength(10);
    for (const line of lines) {
      expect(line).not.toMatch(/Too (small|big)|Invalid (input|string|discriminator)|expected .*expected|>=\d|<=\d|Unrecognized/);
    }
    expect(lines).toContainEqual(expect.stringMatching(/platform:network\.azCount = 0: expected at least 1 availability zone$/));
    expect(lines).toContainEqual(expect.stringMatching(/instanceTypes = \[\]: expected at least one instance type$/));
    expect(lines).toContainEqual(expect.stringMatching(/bindDN = "": expected a non-empty text$/));
    expect(lines).toContainEqual(expect.stringMatching(/platform:admin\.spokes = \[\]: expected at least 1 item$/));
    expect(lines).toContainEqual(expect.stringMatching(/platform:tenancy\.defaultQuota\.pods = -1: expected a number >= 0$/));
  });
});

describe("one mistake, one message", () => {
  test("a stack file applied to the wrong stack is not also judged by that stack's rules", async () => {
    // stage's file with kind prod would otherwise also miss prod's Dex client secrets.
    const lines = await violationsOf("stage", (c) => (c["platform:environment"].kind = "prod"));
    expect(lines).toEqual([
      expect.stringMatching(/platform:environment\.kind = "prod": expected "stage", the name of the stack this file configures$/),
    ]);
  });

  test("a bad size is not also a bad size relation", async () => {
    const lines = await violationsOf("prod", (c) => (c["platform:cluster"].nodePools[1].maxSize = 0));
    expect(lines).toEqual([expect.stringMatching(/platform:cluster\.nodePools\[1\]\.maxSize = 0: expected a number >= 1$/)]);
  });

  test("a value breaking two checks is reported once", async () => {
    const lines = await violationsOf("prod", (c) => (c["platform:environment"].costCentre = `<${"x".repeat(300)}>`));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/platform:environment\.costCentre = "<x+\.\.\.: expected at most 256 characters: it becomes an AWS tag value/);
  });

  test("a region that does not exist is one message, not also a zone count", async () => {
    const lines = await violationsOf("prod", (c) => (c["platform:aws"].region = "eu-west1"));
    expect(lines).toEqual([expect.stringMatching(/platform:aws\.region = "eu-west1": expected an AWS region such as eu-west-1$/)]);
  });
});

describe("valid directory group names are accepted", () => {
  test("parentheses, ampersands, apostrophes and spaces, as Active Directory allows and Kubernetes takes as subjects", async () => {
    const groups = ["Ops (EMEA)", "R&D Platform", "O'Brien team", "team.payments@corp"];
    const run = await runStack("local", {
      configure: (c) => {
        c["platform:teams"][0].groups.developers = groups;
        c["platform:identity"].auditorGroup = "Auditors (read-only)";
      },
    });
    const subjects = run
      .ofType("kubernetes:rbac.authorization.k8s.io/v1:RoleBinding")
      .flatMap((binding) => binding.inputs.subjects.map((s: { name: string }) => s.name));
    for (const group of groups) expect(subjects).toContain(`oidc:${group}`);
    const clusterSubjects = run
      .ofType("kubernetes:rbac.authorization.k8s.io/v1:ClusterRoleBinding")
      .flatMap((binding) => binding.inputs.subjects.map((s: { name: string }) => s.name));
    expect(clusterSubjects).toContain("oidc:Auditors (read-only)");
  });

  test("characters Active Directory refuses, and stray spaces, are not", async () => {
    const lines = await violationsOf("local", (c) => {
      c["platform:teams"][0].groups.developers = ["team,alpha", "team-alpha "];
      c["platform:identity"].infraGroup = "platform-infra's";
    });
    expect(lines).toContainEqual(
      expect.stringMatching(
        /groups\.developers\[0\] = "team,alpha": expected a directory group name without " \/ \\ \[ \] : ; \| = , \+ \* \? < >/,
      ),
    );
    expect(lines).toContainEqual(
      expect.stringMatching(/groups\.developers\[1\] = "team-alpha ": expected a directory group name without leading or trailing spaces/),
    );
    expect(lines).toContainEqual(
      expect.stringMatching(
        /platform:identity\.infraGroup = "platform-infra's": expected a group name without a single quote: Grafana's admin-role mapping/,
      ),
    );
  });
});
