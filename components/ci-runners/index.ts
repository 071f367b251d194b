export { CiRunners, RUNNERS_NAMESPACE } from "./runners";
