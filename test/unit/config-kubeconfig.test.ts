/**
 * The local stack's existing cluster: its kubeconfig must be a readable kubeconfig file (named without showing its
 * content) that holds the context, and the context's cluster. Each mistake is one message before any resource.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { violationsOf } from "../config-errors";
import { StackConfig } from "../../mock-engine";

describe("local: the kubeconfig must be one, and hold the context", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "config-kubeconfig-"));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
  const file = (name: string, text: string) => {
    const target = path.join(dir, name);
    fs.writeFileSync(target, text);
    return target;
  };
  const fixture = fs.readFileSync(path.join(__dirname, "..", "..", "mock-engine", "kubeconfig.yaml"), "utf8");
  const cluster = (c: StackConfig) => c["platform:cluster"];

  test("a file that is not a kubeconfig, without showing its content", async () => {
    const notKubeconfig = file("notes.txt", "token: s3cr3t-t0ken\n- [unbalanced\n");
    const lines = await violationsOf("local", (c) => (cluster(c).kubeconfig = notKubeconfig));
    expect(lines).toEqual([
      expect.stringMatching(
        /platform:cluster\.kubeconfig = ".*notes\.txt": expected a kubeconfig file \(YAML or JSON, kind: Config, with clusters, contexts and users\): this file is not one$/,
      ),
    ]);
    expect(lines.join("\n")).not.toContain("s3cr3t");
  });

  test("another kind of Kubernetes file", async () => {
    const pod = file("pod.yaml", "apiVersion: v1\nkind: Pod\nmetadata: { name: x }\n");
    const lines = await violationsOf("local", (c) => (cluster(c).kubeconfig = pod));
    expect(lines).toEqual([expect.stringMatching(/platform:cluster\.kubeconfig = ".*pod\.yaml": expected a kubeconfig file/)]);
  });

  test("a missing file", async () => {
    const lines = await violationsOf("local", (c) => (cluster(c).kubeconfig = path.join(dir, "absent")));
    expect(lines).toEqual([expect.stringMatching(/platform:cluster\.kubeconfig = ".*absent": expected a readable kubeconfig file/)]);
  });

  test("a context the file does not contain", async () => {
    const kubeconfig = file("kubeconfig", fixture);
    const lines = await violationsOf("local", (c) => {
      cluster(c).kubeconfig = kubeconfig;
      cluster(c).context = "kind-platform";
    });
    expect(lines).toEqual([
      expect.stringMatching(/platform:cluster\.context = "kind-platform": expected one of the contexts of .*kubeconfig: mock$/),
    ]);
  });

  test("no context named and none current", async () => {
    const kubeconfig = file("no-current", fixture.replace(/^current-context: .*$/m, ""));
    const lines = await violationsOf("local", (c) => (cluster(c).kubeconfig = kubeconfig));
    expect(lines).toEqual([
      expect.stringMatching(
        /platform:cluster\.context = \(not set\): expected a context of .*no-current \(mock\): the file sets no current-context$/,
      ),
    ]);
  });

  test("a context whose cluster the file does not define", async () => {
    const kubeconfig = file("dangling", fixture.replace("context: { cluster: mock,", "context: { cluster: gone,"));
    const lines = await violationsOf("local", (c) => (cluster(c).kubeconfig = kubeconfig));
    expect(lines).toEqual([
      expect.stringMatching(
        /platform:cluster\.kubeconfig = ".*dangling": expected a kubeconfig whose context "mock" names one of its clusters \(it names "gone"\)$/,
      ),
    ]);
  });
});
