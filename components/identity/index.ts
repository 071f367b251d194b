export { dexClients, type DexStaticClient } from "./clients";
export { Dex, DEX_NAMESPACE, dexIssuerUrl } from "./dex";
