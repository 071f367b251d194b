/** The deploy workflow backs up before an update that changes the Kubernetes version or replaces stateful resources. */
import fs from "fs";
import os from "os";
import path from "path";
import { backupReasons } from "../../scripts/risky-change";
import { runScript } from "../command-runs";

const cluster = (version: string) => ({ type: "aws:eks/cluster:Cluster", protect: true, inputs: { version } });
const urn = (type: string, name: string) => `urn:pulumi:prod::k8s-platform::platform:x$${type}::${name}`;

test("a Kubernetes version change of the EKS cluster", () => {
  const steps = [
    { op: "update", urn: urn("aws:eks/cluster:Cluster", "cluster-eks"), oldState: cluster("1.33"), newState: cluster("1.34") },
  ];
  expect(backupReasons({ steps })).toEqual(["EKS cluster cluster-eks: Kubernetes 1.33 → 1.34"]);
});

test("a replacement or deletion of a protected or retained resource", () => {
  const bucket = { type: "aws:s3/bucket:Bucket", retainOnDelete: true, inputs: {} };
  const volume = { type: "kubernetes:elasticsearch.k8s.elastic.co/v1:Elasticsearch", protect: true, inputs: {} };
  const steps = [
    { op: "replace", urn: urn(bucket.type, "backups-bucket"), oldState: bucket, newState: bucket },
    { op: "delete", urn: urn(volume.type, "logging-elasticsearch"), oldState: volume },
  ];
  expect(backupReasons({ steps })).toEqual([
    "replace of stateful aws:s3/bucket:Bucket backups-bucket",
    "delete of stateful kubernetes:elasticsearch.k8s.elastic.co/v1:Elasticsearch logging-elasticsearch",
  ]);
});

test("nothing for ordinary updates: other cluster changes, stateless replacements, same steps", () => {
  const stateless = { type: "kubernetes:apps/v1:Deployment", inputs: {} };
  const steps = [
    {
      op: "update",
      urn: urn("aws:eks/cluster:Cluster", "cluster-eks"),
      oldState: { ...cluster("1.33"), inputs: { version: "1.33", tags: {} } },
      newState: cluster("1.33"),
    },
    { op: "replace", urn: urn(stateless.type, "app"), oldState: stateless, newState: stateless },
    { op: "same", urn: urn("aws:s3/bucket:Bucket", "b"), oldState: { type: "aws:s3/bucket:Bucket", protect: true, inputs: {} } },
  ];
  expect(backupReasons({ steps })).toEqual([]);
  expect(backupReasons({})).toEqual([]);
});

test("the answer as the deploy workflow reads it: 3 a backup is due, 0 none is, never a status a failure shares", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "risky-change-"));
  const previewFile = (name: string, steps: object[]) => {
    fs.writeFileSync(path.join(dir, name), JSON.stringify({ steps }));
    return path.join(dir, name);
  };
  try {
    const upgrade = {
      op: "update",
      urn: urn("aws:eks/cluster:Cluster", "cluster-eks"),
      oldState: cluster("1.33"),
      newState: cluster("1.34"),
    };
    const due = runScript("risky-change.ts", [previewFile("upgrade.json", [upgrade])]);
    expect({ status: due.status, stdout: due.stdout, stderr: due.stderr }).toEqual({
      status: 3,
      stdout: "EKS cluster cluster-eks: Kubernetes 1.33 → 1.34\n",
      stderr: "",
    });
    const none = runScript("risky-change.ts", [previewFile("same.json", [{ ...upgrade, newState: cluster("1.33") }])]);
    expect({ status: none.status, stdout: none.stdout, stderr: none.stderr }).toEqual({ status: 0, stdout: "", stderr: "" });
  } finally {
    fs.rmSync(dir, { recursive: true });
  }
});
