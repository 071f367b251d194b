/**
 * `npm run local:up` (scripts/local-up.sh) and scripts/bootstrap.sh, given bad arguments and settings: each refuses
 * with what it was given, what it expects and its usage, exits 2, and starts nothing (no toolchain build, no control
 * plane, no pulumi: test/command-runs.ts) before it would.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { PROJECT_DIR, RECORDED_PROGRAMS, refusal, runScript } from "../command-runs";

const LOCAL_UP_USAGE = "usage: npm run local:up -- [--current-context [--yes]] [-- <pulumi up arguments>]";
const BOOTSTRAP_USAGE = "usage: scripts/bootstrap.sh [--dry-run] [--yes]";

describe("local:up", () => {
  const work = path.join(PROJECT_DIR, ".toolchain", "local", "current-context");
  const existedBefore = fs.existsSync(work);

  test("an unknown argument", () => {
    expect(refusal(runScript("local-up.sh", ["--context", "kind"]))).toBe(
      `[local-up] Refused: unknown argument "--context": expected --current-context, --yes, --help, or -- before pulumi up's own\n${LOCAL_UP_USAGE}`,
    );
  });

  test("--current-context with a kubeconfig that does not exist, before the toolchain or the cluster is touched", () => {
    expect(refusal(runScript("local-up.sh", ["--current-context"], { env: { KUBECONFIG: "/no/such/kubeconfig" } }))).toBe(
      `[local-up] Refused: KUBECONFIG = "/no/such/kubeconfig": expected a kubeconfig file as its first entry, and there is no such file\n${LOCAL_UP_USAGE}`,
    );
    expect(refusal(runScript("local-up.sh", ["--current-context", "--yes"]))).toMatch(
      /^\[local-up\] Refused: \/.*\/home\/\.kube\/config \(KUBECONFIG is not set\): expected a kubeconfig file, and there is no such file\n/,
    );
    expect(fs.existsSync(work)).toBe(existedBefore);
  });
});

describe("bootstrap.sh", () => {
  test("an unknown argument", () => {
    expect(refusal(runScript("bootstrap.sh", ["--stack", "prod"]))).toBe(
      `Refused: unknown argument "--stack": expected --dry-run or --yes\n${BOOTSTRAP_USAGE}`,
    );
  });

  test("no passphrase, or a passphrase file that does not exist", () => {
    expect(refusal(runScript("bootstrap.sh", []))).toBe(
      "Refused: neither PULUMI_CONFIG_PASSPHRASE nor PULUMI_CONFIG_PASSPHRASE_FILE is set: expected the bootstrap stacks' passphrase " +
        `(from the operators' vault) in one of them\n${BOOTSTRAP_USAGE}`,
    );
    expect(refusal(runScript("bootstrap.sh", [], { env: { PULUMI_CONFIG_PASSPHRASE_FILE: "/no/such/file" } }))).toBe(
      `Refused: PULUMI_CONFIG_PASSPHRASE_FILE = "/no/such/file": expected a file holding the bootstrap stacks' passphrase, and there is no such file\n${BOOTSTRAP_USAGE}`,
    );
  });

  test("a local state directory that is a file", () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "bootstrap-state-")), "state");
    fs.writeFileSync(file, "");
    expect(refusal(runScript("bootstrap.sh", ["--dry-run"], { env: { BOOTSTRAP_LOCAL_STATE: file } }))).toBe(
      `Refused: BOOTSTRAP_LOCAL_STATE = "${file}": expected a directory for the local backend, and it is a file\n${BOOTSTRAP_USAGE}`,
    );
    fs.rmSync(path.dirname(file), { recursive: true });
  });

  test("without the pulumi CLI: named with how to get it", () => {
    const programs = RECORDED_PROGRAMS.filter((program) => program !== "pulumi");
    expect(refusal(runScript("bootstrap.sh", ["--yes"], { programs, env: { PULUMI_CONFIG_PASSPHRASE: "x" } }))).toBe(
      "Refused: the pulumi CLI is not on PATH: install it from https://www.pulumi.com/docs/install/, or here " +
        `\`bash scripts/toolchain.sh && source .toolchain/env.sh\`\n${BOOTSTRAP_USAGE}`,
    );
  });
});
