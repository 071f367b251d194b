export { CI_DEPLOYERS_GROUP, CiDeployAccess } from "./deploy-access";
export { CiRunners, DEPLOYER_SERVICE_ACCOUNT, RUNNERS_NAMESPACE } from "./runners";
