import * as fs from "fs";
import { Sandbox, STACK } from "../test/e2e/support/sandbox";
import { findToolchain } from "../test/e2e/support/toolchain";
import { syntheticTeams } from "./bench/teams";
(async () => {
  const n = Number(process.argv[2]);
  const t = findToolchain(); if (!t.ok) throw new Error("no toolchain");
  const s = new Sandbox(t.env);
  await s.startControlPlane(); s.copyProject();
  await s.pulumi(["stack", "init", STACK, "--secrets-provider", "passphrase"]);
  s.editStackConfig((doc) => { doc.setIn(["config", "platform:cluster", "kubeconfig"], s.kubeconfig); doc.setIn(["config", "platform:teams"], doc.createNode(syntheticTeams(n))); });
  const r = await s.pulumi(["up", "--yes", "--skip-preview"], { env: { PULUMI_SKIP_CHECKPOINTS: "true" } });
  console.log("up", r.seconds);
  fs.writeFileSync("/tmp/scale/sandbox.env", Object.entries(s.env).filter(([k]) => /^(PULUMI_|KUBECONFIG|PATH|NO_COLOR)/.test(k)).map(([k, v]) => `export ${k}='${v}'`).join("\n") + `\ncd ${s.projectDir}\n`);
  console.log(s.root);
  process.exit(0);
})();
