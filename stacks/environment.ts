import { LoadedConfig } from "../config/load";
import { Naming } from "../lib/naming";

/** One environment's validated config, secrets and naming: what every composition starts from. */
export interface Environment extends LoadedConfig {
  readonly naming: Naming;
}

export function describeEnvironment(loaded: LoadedConfig): Environment {
  const { environment } = loaded.config;
  return { ...loaded, naming: new Naming(loaded.stack, environment.domain, environment) };
}
