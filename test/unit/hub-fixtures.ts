/** What the hub's tests share: admin's config as its stack file sets it, and the environments that attach to its hub. */
import { readStackConfig } from "../../mock-engine";

export const ENVIRONMENTS = ["e2e", "stage", "prod"] as const;
export const admin = readStackConfig("admin")["platform:admin"];
