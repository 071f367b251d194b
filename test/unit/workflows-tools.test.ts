/**
 * The tools the delivery jobs install (the workflows and composite actions read as YAML): Node and the Pulumi CLI
 * of the project, the AWS CLI for the clusters' tokens, and every download checked against its publisher before
 * it runs.
 */
import { createHash } from "crypto";
import * as fs from "fs";
import * as path from "path";
import { ROOT, ACTIONS, STACKS, setupAction, packageJson, allJobs, allSteps } from "./workflows-fixtures";

test("CI uses the Node major of the project and the CLI of its SDK, installed before pulumi/actions so that it downloads nothing", () => {
  for (const { file, step } of allSteps()) {
    if (step.uses?.startsWith("actions/setup-node@")) expect({ file, node: step.with?.["node-version"] }).toEqual({ file, node: 22 });
    if (step.uses?.startsWith("pulumi/actions@"))
      expect({ file, cli: step.with?.["pulumi-version"] }).toEqual({ file, cli: packageJson.dependencies["@pulumi/pulumi"] });
  }
  const install = setupAction.runs.steps.find((s) => s.name === "Install the Pulumi CLI");
  expect(install?.env?.PULUMI_VERSION).toBe(packageJson.dependencies["@pulumi/pulumi"]);
  expect(install?.run).toContain('[ "$("$RUNNER_TEMP/pulumi-cli/pulumi" version)" = "v${PULUMI_VERSION}" ]');
  // pulumi/actions downloads unchecked unless the CLI on PATH already satisfies its version (src/libs/pulumi-cli.ts).
  for (const { file, name, job } of allJobs()) {
    const steps = job.steps ?? [];
    const action = steps.findIndex((s) => s.uses?.startsWith("pulumi/actions@"));
    const setup = steps.findIndex((s) => s.uses === "./.github/actions/setup-delivery");
    if (action >= 0) expect({ file, name, setupFirst: setup >= 0 && setup < action }).toEqual({ file, name, setupFirst: true });
  }
  expect(packageJson.engines.node).toBe(">=22");
  for (const file of ["PulumiPolicy.yaml", "package-lock.json", ...STACKS.map((stack) => `config/${stack}.json`)]) {
    expect({ file, exists: fs.existsSync(path.join(ROOT, "policy", file)) }).toEqual({ file, exists: true });
  }
});

test("the platform runners get the AWS CLI, which the clusters' kubeconfig runs for its tokens", () => {
  const install = setupAction.runs.steps.find((s) => s.name === "Install the AWS CLI");
  expect(install?.env?.AWS_CLI_VERSION).toMatch(/^2\.\d+\.\d+$/);
  expect(install?.run).toContain('"$dir/installer/aws/install" --install-dir "$RUNNER_TEMP/aws-cli" --bin-dir "$RUNNER_TEMP/delivery-bin"');
  expect(install?.run).toContain('echo "$RUNNER_TEMP/delivery-bin" >> "$GITHUB_PATH"');
  const kubeconfig = fs.readFileSync(path.join(ROOT, "components", "cluster", "kubeconfig.ts"), "utf8");
  expect(kubeconfig).toContain('command: "aws"');
});

describe("what the workflows download is checked against its publisher before it runs", () => {
  /** Every `run` script of .github, its lines joined where a backslash continues them. */
  const scripts = allSteps()
    .filter(({ step }) => step.run)
    .map(({ file, step }) => ({ file, step, lines: step.run!.replace(/\\\n\s*/g, " ").split("\n") }));
  /** A command that fails unless the file it names is what its publisher released. */
  const CHECK = /^\s*(?:GNUPGHOME=\S+ )?(?:cosign verify-blob|gpgv|echo .*\| sha256sum --check|sha(?:256|512)sum --check)\b/;

  test("every download is written to a file that a check names before anything uses it; a failed check fails the step", () => {
    const downloads: string[] = [];
    for (const { file, step, lines } of scripts) {
      const where = `${file}: ${step.name ?? step.run!.split("\n")[0]}`;
      expect({ where, wget: lines.filter((l) => /\bwget\b/.test(l)) }).toEqual({ where, wget: [] });
      lines.forEach((line, i) => {
        if (!/\bcurl\b/.test(line)) return;
        const target = line.match(/\s-o\s+("[^"]+"|\S+)/)?.[1];
        // To a file, never piped into a shell or any other program.
        expect({ where, line, toFile: target !== undefined, piped: line.includes("|") }).toEqual({
          where,
          line,
          toFile: true,
          piped: false,
        });
        const check = lines.slice(i + 1).find((l) => CHECK.test(l) && l.includes(target!.replace(/"/g, "")));
        expect({ where, target, checkedBy: check?.trim().split(" ")[0] }).toEqual({ where, target, checkedBy: expect.any(String) });
        // The check's failure is the step's: not excused, not in a step allowed to fail.
        expect({ where, check, excused: /\|\|\s*(true|:)\s*$/.test(check!) }).toEqual({ where, check, excused: false });
        expect({ where, continueOnError: (step as { "continue-on-error"?: boolean })["continue-on-error"] }).toEqual({
          where,
          continueOnError: undefined,
        });
        downloads.push(target!);
      });
    }
    // What is downloaded at all, so that a new download is looked at here.
    expect(downloads.sort()).toEqual(
      [
        '"$dir/kubectl"',
        '"$dir/kubectl.sig"',
        '"$dir/kubectl.cert"',
        '"$dir/awscli.zip"',
        '"$dir/awscli.zip.sig"',
        '"$dir/$archive"',
        '"$dir/$sums"',
        '"$dir/$sums.sig"',
      ].sort(),
    );
  });

  test("kubectl: the Kubernetes release's keyless signature, by the release process's identity", () => {
    const run = setupAction.runs.steps.find((s) => s.name === "Install kubectl")?.run ?? "";
    expect(run).toContain(
      'cosign verify-blob "$dir/kubectl" --signature "$dir/kubectl.sig" --certificate "$dir/kubectl.cert" \\\n' +
        "  --certificate-identity krel-staging@k8s-releng-prod.iam.gserviceaccount.com \\\n" +
        "  --certificate-oidc-issuer https://accounts.google.com",
    );
  });

  test("the AWS CLI: a valid signature by the AWS CLI Team's key, whose fingerprint is the one AWS publishes", () => {
    const step = setupAction.runs.steps.find((s) => s.name === "Install the AWS CLI")!;
    const fingerprint = "FB5DB77FD5C118B80511ADA8A6310ACC4672475C";
    expect(step.env?.AWS_CLI_KEY_FINGERPRINT).toBe(fingerprint);
    expect(step.run).toContain('grep -Eq "^\\[GNUPG:\\] VALIDSIG .* ${AWS_CLI_KEY_FINGERPRINT}\\$" "$dir/gpgv.status"');
    // The committed key is that key: its OpenPGP v4 fingerprint (RFC 4880, 12.2) is SHA-1 over its public-key packet.
    const armour = fs.readFileSync(path.join(ACTIONS, "setup-delivery", "aws-cli.asc"), "utf8");
    const body = armour.split(/\n\n/)[1].split("\n=")[0];
    const packets = Buffer.from(body.replace(/\s/g, ""), "base64");
    expect(packets[0]).toBe(0x99); // an old-format public-key packet with a two-byte length
    const key = packets.subarray(0, 3 + packets.readUInt16BE(1));
    expect(createHash("sha1").update(key).digest("hex").toUpperCase()).toBe(fingerprint);
  });

  test("the Pulumi CLI: the release's checksums, signed from pulumi/pulumi's own workflows, then the archive against them", () => {
    const run = setupAction.runs.steps.find((s) => s.name === "Install the Pulumi CLI")?.run ?? "";
    expect(run).toContain(
      'cosign verify-blob "$dir/$sums" --bundle "$dir/$sums.sig" \\\n' +
        "  --certificate-identity-regexp '^https://github\\.com/pulumi/pulumi/\\.github/workflows/' \\\n" +
        "  --certificate-oidc-issuer https://token.actions.githubusercontent.com \\\n" +
        "  --certificate-github-workflow-repository pulumi/pulumi",
    );
    expect(run).toContain('echo "${expected:?no checksum for $archive in $sums}  $dir/$archive" | sha256sum --check --strict -');
    // Nothing of the archive runs before both checks.
    expect(run.indexOf("tar -xzf")).toBeGreaterThan(run.indexOf("sha256sum --check"));
  });
});
