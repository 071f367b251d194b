/** scripts/bootstrap.sh, as its dry run prints the commands: the order the first deployment needs. */
import { execFileSync } from "child_process";
import * as path from "path";

const SCRIPT = path.resolve(__dirname, "../../scripts/bootstrap.sh");
const STACKS = ["admin", "e2e", "stage", "prod"];

let commands: string[];
let out: string;
beforeAll(() => {
  out = execFileSync("bash", [SCRIPT, "--dry-run"], {
    env: { ...process.env, BOOTSTRAP_LOCAL_STATE: "/tmp/bootstrap-state" },
    encoding: "utf8",
  });
  commands = out
    .split("\n")
    .filter((line) => line.startsWith("+ "))
    .map((line) => line.slice(2));
});

const indexOf = (command: string) => {
  const i = commands.indexOf(command);
  if (i < 0) throw new Error(`"${command}" is not run; the commands are:\n${commands.join("\n")}`);
  return i;
};
const ref = (stack: string) => `organization/k8s-platform-bootstrap/${stack}`;

test("admin first, then the spokes admin lists, all with the state in a local file backend", () => {
  expect(indexOf("export PULUMI_BACKEND_URL=file:///tmp/bootstrap-state?metadata=skip")).toBe(1);
  const ups = STACKS.map((stack) => indexOf(`pulumi up --stack ${ref(stack)}`));
  expect(ups).toEqual([...ups].sort((a, b) => a - b));
  for (const stack of STACKS)
    expect(indexOf(`pulumi stack select --create ${ref(stack)}`)).toBeLessThan(indexOf(`pulumi up --stack ${ref(stack)}`));
});

test("then every stack is exported, the CLI turns to the bucket, and each is created there and imported, admin first", () => {
  const lastUp = indexOf(`pulumi up --stack ${ref("prod")}`);
  const login = commands.findIndex((c) => c.startsWith("export PULUMI_BACKEND_URL=s3://"));
  expect(login).toBeGreaterThan(0);
  for (const stack of STACKS) {
    const exported = indexOf(`pulumi stack export --stack ${ref(stack)} --file /tmp/bootstrap-state/${stack}.json`);
    expect(exported).toBeGreaterThan(lastUp);
    expect(exported).toBeLessThan(login);
    const init = indexOf(`pulumi stack init ${ref(stack)}`);
    expect(init).toBeGreaterThan(login);
    expect(indexOf(`pulumi stack import --stack ${ref(stack)} --file /tmp/bootstrap-state/${stack}.json`)).toBe(init + 1);
  }
  expect(indexOf(`pulumi stack init ${ref("admin")}`)).toBeLessThan(indexOf(`pulumi stack init ${ref("e2e")}`));
});

test("it ends by checking that each moved stack previews without a change", () => {
  const previews = STACKS.map((stack) => indexOf(`pulumi preview --stack ${ref(stack)} --expect-no-changes`));
  expect(Math.min(...previews)).toBeGreaterThan(
    indexOf(`pulumi stack import --stack ${ref("prod")} --file /tmp/bootstrap-state/prod.json`),
  );
});

test("then it says, for each environment, where its public zone's id goes and what to add to the parent zone", () => {
  const lines = out.split("\n");
  const lastPreview = lines.indexOf(`+ pulumi preview --stack ${ref("prod")} --expect-no-changes`);
  for (const stack of STACKS) {
    const at = lines.indexOf(
      `   ${stack}: in Pulumi.${stack}.yaml set platform:environment.hostedZoneId: <hostedZoneId of ${stack}>; ` +
        `in the parent zone of <hostedZoneName of ${stack}>, as its administrator:`,
    );
    expect(at).toBeGreaterThan(lastPreview);
    expect(lines[at + 1]).toBe(
      `     aws route53 change-resource-record-sets --hosted-zone-id <parent zone id> --change-batch '<parentZoneDelegation of ${stack}>'`,
    );
  }
});
