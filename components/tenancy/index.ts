export { PlatformRbac } from "./platform-rbac";
export { dockerConfigJson, type RegistryCredential } from "./pull-secret";
export { PULL_SECRET_NAME, Team } from "./team";
export { TenancyGuardrails } from "./guardrails";
export { platformNamespace } from "./platform-namespace";
