/**
 * The policy pack the CLI runs: `pulumi preview --policy-pack policy --policy-pack-config policy/config/<stack>.json`.
 * The only file that constructs the PolicyPack, which serves the policies to the engine.
 */
import { PolicyPack } from "@pulumi/policy";
import { DEFAULT_ENFORCEMENT_LEVEL, PACK_NAME, POLICIES } from "./policies";

new PolicyPack(PACK_NAME, { policies: POLICIES, enforcementLevel: DEFAULT_ENFORCEMENT_LEVEL });
