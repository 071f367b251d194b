/**
 * The registry of configuration rules: every rule across sections, in the order config/load.ts reports their
 * violations. Each rule lives in the file of its subject (config/rules-<subject>.ts) and comes here through that
 * file's list; test/unit/config-rules.test.ts fails on a rule of those files that is not listed.
 */
import { ACCOUNT_RULES } from "./rules-accounts";
import { CALICO_RULES } from "./rules-calico";
import { CAPACITY_RULES } from "./rules-capacity";
import { CI_RULES } from "./rules-ci";
import { CLUSTER_RULES } from "./rules-cluster";
import { DELIVERY_RULES } from "./rules-delivery";
import { ENVIRONMENT_RULES } from "./rules-environment";
import { EXISTING_CLUSTER_RULES } from "./rules-existing-cluster";
import { HUB_RULES } from "./rules-hub";
import { NETWORK_RULES } from "./rules-network";
import { OBSERVABILITY_RULES } from "./rules-observability";
import { SECRET_RULES } from "./rules-secrets";
import { SERVICE_RULES } from "./rules-services";
import { TENANCY_RULES } from "./rules-tenancy";
import { UPGRADE_RULES } from "./rules-upgrades";
import { WORKLOAD_RULES } from "./rules-workloads";
import type { Rule } from "./violation";

export const RULES: readonly Rule[] = [
  ...CLUSTER_RULES,
  ...ENVIRONMENT_RULES,
  ...HUB_RULES,
  ...TENANCY_RULES,
  ...CALICO_RULES,
  ...SECRET_RULES,
  ...SERVICE_RULES,
  ...OBSERVABILITY_RULES,
  ...NETWORK_RULES,
  ...ACCOUNT_RULES,
  ...WORKLOAD_RULES,
  ...CAPACITY_RULES,
  ...UPGRADE_RULES,
  ...CI_RULES,
  ...DELIVERY_RULES,
  ...EXISTING_CLUSTER_RULES,
];
