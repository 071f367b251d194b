import * as pulumi from "@pulumi/pulumi";
import { keepSdkRpcDebugLinesLocal } from "./lib/sdk-debug-log";
import { skipSdkBookkeepingTraces } from "./lib/stack-traces";
import { platform } from "./stacks";

skipSdkBookkeepingTraces();
keepSdkRpcDebugLinesLocal();
export = platform(pulumi.getStack());
