export { TransitHub } from "./hub";
export { TransitSpoke } from "./spoke";
